package io.distillery.trainer.job;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** A job running on its own thread: its status, its outcome, and a way to stop it. */
public final class RunningJob {

  private static final Logger LOG = Logger.getLogger(RunningJob.class);

  private final String jobId;
  private final CompletableFuture<JobResult> result = new CompletableFuture<>();
  private final Thread thread;
  private volatile DistillationService job;
  private volatile boolean stopRequested;

  /** What a job thread runs: it builds the job (handing it over), runs it, and cleans up. */
  @FunctionalInterface
  public interface Body {
    JobResult run(Consumer<DistillationService> started) throws Exception;
  }

  private RunningJob(String jobId, Body body) {
    this.jobId = jobId;
    Callable<JobResult> task = () -> body.run(this::started);
    this.thread =
        new Thread(
            () -> {
              try {
                result.complete(task.call());
              } catch (Throwable e) {
                if (!(e instanceof Error)) {
                  LOG.errorf("job %s failed: %s", jobId, e.getMessage());
                }
                result.completeExceptionally(e);
              }
            },
            "distillery-trainer-" + jobId);
  }

  /** Starts a job thread. */
  public static RunningJob start(String jobId, Body body) {
    RunningJob running = new RunningJob(jobId, body);
    running.thread.start();
    return running;
  }

  private void started(DistillationService started) {
    job = started;
    if (stopRequested) {
      started.stop();
    }
  }

  public String jobId() {
    return jobId;
  }

  /** The job, once built (null before). */
  public DistillationService job() {
    return job;
  }

  /** What the job is doing; FAILED with the reason when it ended on an error. */
  public JobStatus status() {
    if (result.isCompletedExceptionally()) {
      try {
        result.join();
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return JobStatus.of(JobStatus.State.FAILED, String.valueOf(cause.getMessage()));
      }
    }
    DistillationService current = job;
    return current == null ? JobStatus.of(JobStatus.State.STARTING, "starting") : current.status();
  }

  /** The outcome. */
  public CompletableFuture<JobResult> result() {
    return result;
  }

  /** Stops the job at its next step boundary (no checkpoint) and waits for its thread. */
  public void stop(Duration wait) {
    stopRequested = true;
    DistillationService current = job;
    if (current != null) {
      current.stop();
    }
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the job's outcome. */
  public JobResult await(Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
