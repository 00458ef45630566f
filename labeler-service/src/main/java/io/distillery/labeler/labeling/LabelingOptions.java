package io.distillery.labeler.labeling;

import io.distillery.labeler.config.LabelerConfig;
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
 */
public record LabelingOptions(
    String defaultDataset,
    int maxPromptBytes,
    int maxInFlight,
    Duration outageInitialBackoff,
    Duration outageMaxBackoff,
    SparseCodec.Format softLabelFormat) {

  public LabelingOptions {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.batch.max-in-flight must be >= 1, was " + maxInFlight);
    }
  }

  /** The options the configuration describes. */
  public static LabelingOptions from(LabelerConfig config) {
    return new LabelingOptions(
        config.defaultDataset(),
        config.maxPromptBytes(),
        config.batch().maxInFlight(),
        config.teacher().outageBackoff().initial(),
        config.teacher().outageBackoff().max(),
        config.softLabelFormat());
  }
}
