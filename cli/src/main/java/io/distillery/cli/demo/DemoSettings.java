package io.distillery.cli.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a demo run needs to know. The distillation settings (student, T, α, schedule) were
 * chosen on a validation split carved from the training set; see docs/choosing-kd-settings.md.
 *
 * @param root the repository (service jars are found under it, and built there when missing)
 * @param runDir where logs, checkpoints, the broker's data and the reports go
 * @param cacheDir where the trained teacher and a fetched data set are kept between runs
 * @param teacherDir an existing teacher model directory to serve instead of the cached one
 * @param teacherEpochs epochs of teacher training when no cached teacher exists
 * @param teacherMaxBatches cap on batches per teacher epoch, 0 for none (tests use a tiny teacher)
 * @param prompts training prompts to produce (the first n of the 60,000)
 * @param seeds paired seeds: each runs a {@code hard} and a {@code kd} job (and {@code kd-online})
 * @param online whether to run the {@code kd-online} job per seed
 * @param parallelJobs trainer processes running side by side
 * @param training the student and its optimisation, shared by every job
 * @param partitions partitions of every topic
 */
public record DemoSettings(
    Path root,
    Path runDir,
    Path cacheDir,
    Optional<Path> teacherDir,
    int teacherEpochs,
    int teacherMaxBatches,
    int prompts,
    List<Integer> seeds,
    boolean online,
    int parallelJobs,
    Training training,
    int partitions) {

  /**
   * The student and how every job trains it; {@code hard} and {@code kd} differ only in α (and so
   * in their targets).
   *
   * @param hiddenSizes hidden layer widths of the MLP student
   * @param passes passes over the soft-label log
   * @param batchSize samples per step
   * @param learningRate peak learning rate
   * @param temperature distillation temperature T
   * @param alpha weight of the hard-label cross-entropy in the {@code kd} jobs
   * @param checkpointIntervalSteps steps between checkpoints; 0 for one per pass
   * @param extra further trainer properties (e.g. the learning-rate schedule), passed as they are
   */
  public record Training(
      List<Integer> hiddenSizes,
      int passes,
      int batchSize,
      float learningRate,
      float temperature,
      float alpha,
      int checkpointIntervalSteps,
      Map<String, String> extra) {

    /**
     * The settings chosen on a validation split carved from the training set
     * (docs/choosing-kd-settings.md): an unregularised 784-256-256-10 MLP, Adam 1e-3 with cosine
     * decay to 0, T = 2, α = 0.5. A constant learning rate was rejected: it leaves the hard-label
     * student far from converged and so inflates the gap distillation appears to recover.
     */
    public static Training chosen(int passes) {
      return new Training(
          List.of(256, 256),
          passes,
          128,
          1e-3f,
          2f,
          0.5f,
          0,
          Map.of(
              "distillery.trainer.lr-schedule", "cosine",
              "distillery.trainer.final-learning-rate", "0"));
    }

    /** Optimizer steps of one job for {@code labels} labels per pass. */
    public long stepsPerJob(long labels) {
      return passes * ((labels + batchSize - 1) / batchSize);
    }
  }

  /** Passes of the full demo. */
  public static final int FULL_PASSES = 30;

  /** Passes of {@code --quick}. */
  public static final int QUICK_PASSES = 10;
}
