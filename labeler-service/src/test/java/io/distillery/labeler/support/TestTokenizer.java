package io.distillery.labeler.support;

import io.distillery.models.digest.Sha256;
import io.distillery.models.tokenizer.BpeTokenizer;
import io.distillery.models.tokenizer.BpeTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small byte-level BPE {@code tokenizer.json} (300 ids, end-of-text last) trained here with
 * Distillery's own trainer, written once per build under {@code target/}: the tokenizer both the
 * labeler under test and the fake causal-LM teacher's card refer to.
 */
public final class TestTokenizer {

  /** Token ids of the test tokenizer. */
  public static final int VOCABULARY = 300;

  /** Id of its end-of-text token (the last). */
  public static final int END_OF_TEXT = VOCABULARY - 1;

  private static final Path FILE = Path.of("target", "test-tokenizer", "tokenizer.json");

  private TestTokenizer() {}

  /** The file, trained and written on first use. */
  public static synchronized Path file() {
    if (!Files.isRegularFile(FILE)) {
      BpeTokenizer tokenizer =
          new BpeTrainer(VOCABULARY, BpeTokenizer.END_OF_TEXT)
              .train(
                  List.of(
                      "It is a truth universally acknowledged, that a single man in possession of a"
                          + " good fortune, must be in want of a wife.",
                      "The family of Dashwood had long been settled in Sussex. Their estate was"
                          + " large, and their residence was at Norland Park.",
                      "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and"
                          + " happy disposition, seemed to unite some of the best blessings."));
      try {
        Files.createDirectories(FILE.getParent());
        tokenizer.write(FILE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return FILE.toAbsolutePath();
  }

  /** Its sha256: what the fake teacher's card states. */
  public static String sha256() {
    try {
      return Sha256.file(file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
