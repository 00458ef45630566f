package io.distillery.teacher.watermark;

import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.watermark.CosineWatermark;
import io.distillery.models.watermark.WatermarkKey;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import io.distillery.models.watermark.lm.VocabWatermark;
import io.distillery.teacher.access.AccessConfig;
import io.distillery.teacher.config.TeacherConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Decides whose outputs carry the owner's watermark and hands out the {@link OutputMark} of each
 * request. The key is read once at start-up from {@code distillery.teacher.watermark.key-file}; a
 * marked client without a key file, or a key of the other task than the configured teacher's card
 * (a causal-lm key on a classifier or the reverse), stops the service with a message naming the
 * setting and the command that makes the right key.
 */
@ApplicationScoped
@Startup // a missing key file must stop start-up, and the metrics exist from the first scrape
public class Watermarking {

  private static final Logger LOG = Logger.getLogger(Watermarking.class);

  private final AccessConfig access;
  private final MarkScheme watermark;
  private final DistributionSummary perturbation;
  private final Counter markedSamples;

  public Watermarking(TeacherConfig config, MeterRegistry registry) {
    this.access = config.access();
    this.perturbation =
        DistributionSummary.builder("distillery_teacher_watermark_perturbation")
            .description(
                "Per marked Label request: the largest change of any class (or next-token)"
                    + " probability, max |q̂ − q|")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.markedSamples =
        Counter.builder("distillery_teacher_watermark_marked_samples")
            .description("Samples whose soft labels carried the owner's watermark")
            .register(registry);
    List<String> marked = markedClients();
    boolean defaultsMarked = access.defaults().watermark().orElse(false);
    if (marked.isEmpty() && !defaultsMarked) {
      this.watermark = null;
      return;
    }
    Path keyFile =
        config
            .watermark()
            .keyFile()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "clients "
                            + (defaultsMarked ? "(all by default) " : marked + " ")
                            + "are set to receive watermarked outputs but"
                            + " distillery.teacher.watermark.key-file is not set; create one with"
                            + " 'distillery teacher watermark-key --out FILE'"));
    try {
      this.watermark = scheme(keyFile, config.watermark());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the watermark key: " + e.getMessage(), e);
    }
    config.modelDir().ifPresent(dir -> checkServes(watermark, keyFile, dir));
    LOG.infof(
        "Watermarking the outputs of %s with the %s key in %s (ε = %s)",
        defaultsMarked ? "every client not set otherwise" : "clients " + marked,
        watermark.kind(),
        keyFile,
        watermark.epsilon());
  }

  /** The scheme of the key file's kind: a causal-lm key marks LM outputs, any other classifiers. */
  private static MarkScheme scheme(Path keyFile, WatermarkConfig config) throws IOException {
    if (LmWatermarkKey.isLmKey(keyFile)) {
      return new LmMarkScheme(new VocabWatermark(LmWatermarkKey.read(keyFile), config.lmEpsilon()));
    }
    return new ClassifierMarkScheme(
        new CosineWatermark(WatermarkKey.read(keyFile), config.epsilon()));
  }

  /**
   * Fails start-up when the key cannot mark the configured teacher's task, so the mistake shows at
   * deployment rather than as refused Label calls. A card that cannot be read is left to {@code
   * TeacherRuntime}, which reports it as the not-ready reason.
   */
  static void checkServes(MarkScheme scheme, Path keyFile, Path modelDir) {
    TeacherCardFile card;
    try {
      card = TeacherCardFile.read(modelDir);
    } catch (IOException e) {
      return;
    }
    if (!scheme.kind().equals(card.task())) {
      throw new IllegalStateException(
          "distillery.teacher.watermark.key-file "
              + keyFile
              + " holds a "
              + scheme.kind()
              + " watermark key but the teacher in "
              + modelDir
              + " serves the "
              + card.task()
              + " task; create a "
              + card.task()
              + " key with "
              + keyCommand(card));
    }
    scheme.checkServes(card, keyFile);
  }

  /** The command that makes a key for this card's task. */
  static String keyCommand(TeacherCardFile card) {
    if (card.isCausalLm()) {
      String vocab =
          card.languageModel() == null ? "N" : Integer.toString(card.languageModel().vocabSize());
      return "'distillery teacher watermark-key --track lm --vocab-size " + vocab + " --out FILE'";
    }
    return "'distillery teacher watermark-key --classes "
        + card.outputSize()
        + " --out FILE' (and --input-size of the teacher's flattened input)";
  }

  private List<String> markedClients() {
    return access.clients().entrySet().stream()
        .filter(e -> e.getValue().watermark().orElse(false))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** Whether the client's outputs are marked. */
  public boolean marks(String client) {
    if (watermark == null) {
      return false;
    }
    AccessConfig.Limits own = access.clients().get(client);
    Optional<Boolean> setting = own == null ? Optional.empty() : own.watermark();
    return setting.or(() -> access.defaults().watermark()).orElse(false);
  }

  /** The mark of one request of {@code client}. */
  public OutputMark forClient(String client) {
    return marks(client) ? new RequestMark() : OutputMark.NONE;
  }

  /** Marks a request's samples and records its largest perturbation once. */
  private final class RequestMark implements OutputMark {
    private double largest;
    private int samples;

    @Override
    public boolean marks() {
      return true;
    }

    @Override
    public float[] apply(float[] input, float[] logits) {
      return record(watermark.markSample(input, logits));
    }

    @Override
    public float[] applyToSequence(int[] ids, float[] logits) {
      return record(watermark.markSequence(ids, logits));
    }

    // A language model's samples are labelled in parallel.
    private synchronized float[] record(MarkScheme.Marked marked) {
      largest = Math.max(largest, marked.perturbation());
      samples++;
      return marked.logits();
    }

    @Override
    public synchronized void finish() {
      if (samples > 0) {
        perturbation.record(largest);
        markedSamples.increment(samples);
      }
    }
  }
}
