package io.distillery.cli.demo;

import io.distillery.models.augment.TransferSet;
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
 * @param transferSet the views of each training image that are labelled once and trained on
 * @param training the students and their optimisation
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
    TransferSet transferSet,
    Training training,
    int partitions) {

  /**
   * The students and how every job trains them; {@code hard} and {@code kd} differ only in α (and
   * so in their targets).
   *
   * @param students the student families, each with its passes
   * @param batchSize samples per step
   * @param learningRate peak learning rate
   * @param temperature distillation temperature T
   * @param alpha weight of the hard-label cross-entropy in the {@code kd} jobs
   * @param checkpointIntervalSteps steps between checkpoints; 0 for one per pass
   * @param extra further trainer properties (e.g. the learning-rate schedule), passed as they are
   */
  public record Training(
      List<StudentPlan> students,
      int batchSize,
      float learningRate,
      float temperature,
      float alpha,
      int checkpointIntervalSteps,
      Map<String, String> extra) {

    /** The same settings with every student's passes scaled by {@code factor} (at least 1). */
    public Training scaledPasses(double factor) {
      return new Training(
          students.stream()
              .map(s -> s.withPasses(Math.max(1, (int) Math.round(s.passes() * factor))))
              .toList(),
          batchSize,
          learningRate,
          temperature,
          alpha,
          checkpointIntervalSteps,
          extra);
    }

    /** The same settings with {@code passes} passes for every student. */
    public Training withPasses(int passes) {
      return new Training(
          students.stream().map(s -> s.withPasses(passes)).toList(),
          batchSize,
          learningRate,
          temperature,
          alpha,
          checkpointIntervalSteps,
          extra);
    }

    /** The same settings with more trainer properties for every job. */
    public Training withExtra(Map<String, String> more) {
      Map<String, String> all = new java.util.LinkedHashMap<>(extra);
      all.putAll(more);
      return new Training(
          students, batchSize, learningRate, temperature, alpha, checkpointIntervalSteps, all);
    }
  }
}
