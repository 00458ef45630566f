package io.distillery.labeler.text;

import io.distillery.labeler.config.LabelerConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The tokenizer configured with {@code distillery.labeler.text.tokenizer}, loaded once at start-up
 * from a local path. A configured file that cannot be loaded stops the start with a message naming
 * the key and the path; no file configured means text prompts are dead-lettered ({@code
 * no-tokenizer}).
 */
@ApplicationScoped
public class TeacherTokenizer {

  private static final Logger LOG = Logger.getLogger(TeacherTokenizer.class);

  private final TextTokenization tokenization;

  @Inject
  public TeacherTokenizer(LabelerConfig config) {
    this(config.text().tokenizer().map(Path::of));
  }

  /** Loads {@code path} when present. */
  public TeacherTokenizer(Optional<Path> path) {
    if (path.isEmpty()) {
      tokenization = null;
      return;
    }
    try {
      tokenization = TextTokenization.load(path.get());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "distillery.labeler.text.tokenizer="
              + path.get()
              + " cannot be loaded: "
              + e.getMessage(),
          e);
    }
    LOG.infof(
        "tokenizer %s loaded: %d ids, sha256 %s",
        tokenization.file(), tokenization.vocabSize(), tokenization.sha256());
  }

  /** The tokenization, when one is configured. */
  public Optional<TextTokenization> tokenization() {
    return Optional.ofNullable(tokenization);
  }

  @PreDestroy
  void close() {
    if (tokenization != null) {
      tokenization.close();
    }
  }
}
