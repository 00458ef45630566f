package io.distillery.cli.demo;

import io.distillery.cli.process.ServiceProcess;
import io.distillery.cli.progress.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * One progress bar over the steps of every job, read from the trainers' {@code
 * distillery_trainer_step} gauges, with the running jobs' latest score beside it.
 */
final class JobProgress implements AutoCloseable {

  private final List<DemoJob> jobs;
  private final ToLongFunction<DemoJob> stepsOf;
  private final PipelineEvents events;
  private final java.util.function.Function<io.distillery.proto.v1.EvaluationEvent, String> score;
  private final Progress bar;
  private final Map<String, ServiceProcess> running = new ConcurrentHashMap<>();
  private final Map<String, Long> steps = new ConcurrentHashMap<>();
  private final Map<String, List<Double>> throughput = new ConcurrentHashMap<>();

  JobProgress(
      List<DemoJob> jobs,
      ToLongFunction<DemoJob> stepsOf,
      PipelineEvents events,
      java.util.function.Function<io.distillery.proto.v1.EvaluationEvent, String> score,
      PrintStream out) {
    this.jobs = jobs;
    this.stepsOf = stepsOf;
    this.events = events;
    this.score = score;
    this.bar = Progress.start("training", jobs.stream().mapToLong(stepsOf).sum(), "steps", out);
  }

  void started(DemoJob job, ServiceProcess trainer) {
    running.put(job.id(), trainer);
  }

  void finished(DemoJob job) {
    running.remove(job.id());
    steps.put(job.id(), stepsOf.applyAsLong(job));
  }

  /** The job's latest step as last read from its trainer. */
  long step(DemoJob job) {
    return steps.getOrDefault(job.id(), 0L);
  }

  /**
   * Refreshes the bar every second until every job's future is done; the first failure cancels the
   * others and is rethrown.
   */
  void followUntilDone(List<Future<?>> futures) throws Exception {
    while (true) {
      refresh();
      boolean allDone = true;
      for (Future<?> future : futures) {
        if (!future.isDone()) {
          allDone = false;
        } else if (!future.isCancelled()) {
          try {
            future.get();
          } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof Exception cause ? cause : e;
          }
        }
      }
      if (allDone) {
        refresh();
        return;
      }
      Thread.sleep(Duration.ofSeconds(1).toMillis());
    }
  }

  private void refresh() {
    running.forEach(
        (jobId, trainer) -> {
          try {
            double step = trainer.metric("distillery_trainer_step");
            if (!Double.isNaN(step)) {
              steps.merge(jobId, (long) step, Math::max);
            }
            double perSecond = trainer.metric("distillery_trainer_positions_per_second");
            if (perSecond > 0) {
              throughput
                  .computeIfAbsent(jobId, j -> new java.util.concurrent.CopyOnWriteArrayList<>())
                  .add(perSecond);
            }
          } catch (Exception notNow) {
            // Starting or stopping: the next refresh will tell.
          }
        });
    bar.stepTo(steps.values().stream().mapToLong(Long::longValue).sum());
    bar.setExtraMessage(
        jobs.stream()
            .filter(job -> running.containsKey(job.id()))
            .map(
                job ->
                    job.id()
                        + events
                            .latestEvaluation(job.id())
                            .map(e -> " " + score.apply(e))
                            .orElse(""))
            .collect(Collectors.joining(" | ")));
  }

  /**
   * The median of the job's {@code distillery_trainer_positions_per_second} readings while it
   * trained (positions: tokens of a language model, samples of a classifier); NaN if none.
   */
  double positionsPerSecond(String jobId) {
    List<Double> readings = throughput.getOrDefault(jobId, List.of());
    if (readings.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = readings.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  @Override
  public void close() {
    bar.close();
  }
}
