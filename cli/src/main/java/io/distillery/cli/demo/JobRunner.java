package io.distillery.cli.demo;

import io.distillery.cli.process.ServiceProcess;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Runs a track's trainer jobs on a running stack, a few processes side by side, each until the
 * evaluation of its final checkpoint is published; shared by every demo track. A job whose trainer
 * stops, fails or makes no progress for {@link DemoPipeline#STALL_TIMEOUT} fails the run.
 */
public final class JobRunner {

  private final DemoStack stack;
  private final PipelineEvents events;
  private final Function<DemoJob, Map<String, String>> properties;
  private final ToLongFunction<DemoJob> stepsOf;
  private final Function<EvaluationEvent, String> score;
  private final PrintStream out;
  private final Map<String, Long> droppedUpdates = new ConcurrentHashMap<>();
  private final Map<String, Double> positionsPerSecond = new ConcurrentHashMap<>();

  /**
   * @param properties the trainer properties of a job
   * @param stepsOf the steps a job will take (for the progress bar)
   * @param score a short text of an evaluation shown beside a running job, e.g. {@code acc 0.871}
   */
  public JobRunner(
      DemoStack stack,
      PipelineEvents events,
      Function<DemoJob, Map<String, String>> properties,
      ToLongFunction<DemoJob> stepsOf,
      Function<EvaluationEvent, String> score,
      PrintStream out) {
    this.stack = stack;
    this.events = events;
    this.properties = properties;
    this.stepsOf = stepsOf;
    this.score = score;
    this.out = out;
  }

  /**
   * Runs the jobs, {@code parallelJobs} trainer processes at a time. The processes stay up until
   * every job is done, so that their metrics can still be scraped.
   *
   * @return per job, the updates its gradient guard dropped
   */
  public Map<String, Long> run(List<DemoJob> jobs, int parallelJobs) throws Exception {
    JobProgress progress = new JobProgress(jobs, stepsOf, events, score, out);
    ExecutorService pool = Executors.newFixedThreadPool(parallelJobs);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (DemoJob job : jobs) {
        running.add(pool.submit(() -> runJob(job, progress)));
      }
      progress.followUntilDone(running);
      for (DemoJob job : jobs) {
        positionsPerSecond.put(job.id(), progress.positionsPerSecond(job.id()));
      }
    } finally {
      pool.shutdownNow();
      progress.close();
    }
    return Map.copyOf(droppedUpdates);
  }

  /**
   * Per job of the last {@link #run}: the median of its trainer's positions per second (tokens/s
   * for a language model) while it trained; NaN if never read.
   */
  public Map<String, Double> positionsPerSecond() {
    return Map.copyOf(positionsPerSecond);
  }

  /** The job's updates dropped by the gradient guard, as its trainer counts them. */
  private static long updatesDropped(ServiceProcess trainer) throws InterruptedException {
    try {
      double dropped = trainer.metric("distillery_trainer_updates_dropped_total");
      if (Double.isNaN(dropped)) {
        throw new IllegalStateException(
            "the trainer does not export distillery_trainer_updates_dropped_total; see "
                + trainer.log());
      }
      return (long) dropped;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "cannot read the dropped-update count of " + trainer.log() + ": " + e.getMessage(), e);
    }
  }

  /** Whether the trainer says its job failed; a trainer too busy to answer has not failed. */
  private static boolean jobFailed(ServiceProcess trainer) throws InterruptedException {
    try {
      return trainer.metric("distillery_trainer_job_failed") == 1;
    } catch (java.io.IOException busy) {
      return false;
    }
  }

  private Void runJob(DemoJob job, JobProgress progress) throws Exception {
    ServiceProcess trainer = stack.startTrainer(job.id(), properties.apply(job));
    progress.started(job, trainer);
    long lastChange = System.nanoTime();
    long lastStep = -1;
    while (events.finalEvaluation(job.id()).isEmpty()) {
      if (!trainer.isAlive()) {
        throw new IllegalStateException(
            "the trainer of job " + job.id() + " stopped; see " + trainer.log());
      }
      if (jobFailed(trainer)) {
        throw new IllegalStateException("job " + job.id() + " failed; see " + trainer.log());
      }
      long step = progress.step(job);
      int evaluations = events.evaluations(job.id()).size();
      if (step + evaluations != lastStep) {
        lastStep = step + evaluations;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > DemoPipeline.STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException(
            "job "
                + job.id()
                + " made no progress for "
                + DemoPipeline.STALL_TIMEOUT.toMinutes()
                + " min; see "
                + trainer.log()
                + " and "
                + stack.evaluator().log());
      }
      events.awaitChange(Duration.ofSeconds(1));
    }
    droppedUpdates.put(job.id(), updatesDropped(trainer));
    EvaluationEvent last = events.finalEvaluation(job.id()).orElseThrow();
    if (last.getStatus() != EvaluationStatus.EVALUATION_OK) {
      throw new IllegalStateException(
          "the final checkpoint of job "
              + job.id()
              + " could not be evaluated: "
              + last.getFailureReason()
              + "; see "
              + stack.evaluator().log());
    }
    progress.finished(job);
    return null;
  }
}
