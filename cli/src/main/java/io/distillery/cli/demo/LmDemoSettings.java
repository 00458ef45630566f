package io.distillery.cli.demo;

import io.distillery.models.teacher.CausalLmTeacherConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a run of the language-model track needs to know ({@code distillery demo --track lm}).
 *
 * @param root the repository (service jars are found under it, and built there when missing)
 * @param runDir where logs, checkpoints, the broker's data and the reports go
 * @param cacheDir where the trained LM teacher and a fetched corpus are kept between runs
 * @param teacherDir an existing LM teacher directory to serve instead of the cached one
 * @param teacherTraining how the teacher is trained when none is cached (its output directory is
 *     replaced by the cache's)
 * @param textBytes UTF-8 bytes of the training novels produced as prompts (0 = all of them); an
 *     equal share is taken from the start of each novel
 * @param promptBytes bytes of text per prompt; the labeler cuts each into context windows
 * @param topK entries kept per position in the soft labels
 * @param generationTokens tokens the teacher continues each window by (the seqkd jobs' targets)
 * @param seeds paired seeds: each runs a {@code hard}, a {@code kd} and a {@code seqkd} job
 * @param parallelJobs trainer processes running side by side
 * @param training the student and how every job trains it (T, α of the kd jobs, schedule)
 * @param evalTokens held-out tokens the evaluator scores per checkpoint
 * @param partitions partitions of every topic
 */
public record LmDemoSettings(
    Path root,
    Path runDir,
    Path cacheDir,
    Optional<Path> teacherDir,
    CausalLmTeacherConfig teacherTraining,
    long textBytes,
    int promptBytes,
    int topK,
    int generationTokens,
    List<Integer> seeds,
    int parallelJobs,
    DemoSettings.Training training,
    int evalTokens,
    int partitions) {

  /** The one student of the track. */
  public StudentPlan student() {
    return training.students().get(0);
  }
}
