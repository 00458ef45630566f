package io.distillery.models.teacher;

import java.nio.file.Path;
import java.util.List;

/**
 * What a teacher training run did and how well the result does.
 *
 * @param epochs per-epoch statistics, in order
 * @param batchLosses training loss of every batch, in order (tests check that it falls)
 * @param testErrors misclassified test images (PyTorch, inference mode)
 * @param testSamples test images evaluated
 * @param trainingSeconds wall time of the training loop (without evaluation and export)
 * @param samplesPerSecond training images per second over the whole loop
 * @param outputDir the model directory written
 * @param card the teacher card written into it
 */
public record TrainingReport(
    List<EpochStats> epochs,
    float[] batchLosses,
    int testErrors,
    int testSamples,
    double trainingSeconds,
    double samplesPerSecond,
    Path outputDir,
    TeacherCardFile card) {

  /** Test accuracy in [0, 1]. */
  public double testAccuracy() {
    return testSamples == 0 ? 0 : 1.0 - (double) testErrors / testSamples;
  }

  /**
   * Statistics of one epoch.
   *
   * @param epoch 1-based epoch number
   * @param batches batches trained
   * @param samples images trained
   * @param meanLoss mean batch loss
   * @param trainAccuracy accuracy on the (augmented, dropout-on) training batches
   * @param validationErrors errors on the validation split, -1 without one
   * @param validationSamples size of the validation split
   * @param seconds wall time of the epoch's training steps
   * @param samplesPerSecond training throughput of the epoch
   */
  public record EpochStats(
      int epoch,
      int batches,
      int samples,
      double meanLoss,
      double trainAccuracy,
      int validationErrors,
      int validationSamples,
      double seconds,
      double samplesPerSecond) {

    /** Validation accuracy in [0, 1], or NaN without a validation split. */
    public double validationAccuracy() {
      return validationSamples == 0
          ? Double.NaN
          : 1.0 - (double) validationErrors / validationSamples;
    }
  }
}
