package io.distillery.labeler.labeling;

import io.distillery.labeler.config.LabelerConfig;
import io.distillery.labeler.prompt.PromptValidator;
import io.distillery.proto.codec.SparseCodec;
import java.time.Duration;

/**
 * The settings the labeling service works with.
 *
 * @param defaultDataset dataset of prompts that name none
 * @param maxPromptBytes largest accepted record value
 * @param maxInFlight units of work in flight at once
 * @param outageInitialBackoff first wait before asking a down teacher again
 * @param outageMaxBackoff longest such wait
 * @param softLabelFormat the encoding of the soft labels' distributions
 * @param maxTextBytes largest text of a text prompt, in UTF-8 bytes
 */
public record LabelingOptions(
    String defaultDataset,
    int maxPromptBytes,
    int maxInFlight,
    Duration outageInitialBackoff,
    Duration outageMaxBackoff,
    SparseCodec.Format softLabelFormat,
    int maxTextBytes) {

  public LabelingOptions {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.batch.max-in-flight must be >= 1, was " + maxInFlight);
    }
  }

  /** Options with the default text limit. */
  public LabelingOptions(
      String defaultDataset,
      int maxPromptBytes,
      int maxInFlight,
      Duration outageInitialBackoff,
      Duration outageMaxBackoff,
      SparseCodec.Format softLabelFormat) {
    this(
        defaultDataset,
        maxPromptBytes,
        maxInFlight,
        outageInitialBackoff,
        outageMaxBackoff,
        softLabelFormat,
        PromptValidator.DEFAULT_MAX_TEXT_BYTES);
  }

  /** The options the configuration describes. */
  public static LabelingOptions from(LabelerConfig config) {
    return new LabelingOptions(
        config.defaultDataset(),
        config.maxPromptBytes(),
        config.batch().maxInFlight(),
        config.teacher().outageBackoff().initial(),
        config.teacher().outageBackoff().max(),
        config.softLabelFormat(),
        config.text().maxBytes());
  }
}
