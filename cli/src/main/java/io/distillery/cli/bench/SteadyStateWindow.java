package io.distillery.cli.bench;

import io.distillery.cli.process.ServiceProcess;
import io.distillery.cli.progress.Progress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches a labelling run through the labeler's own counter: shows progress, and takes the CPU time
 * of the labeler and the teacher when the run passes its half-way mark, so the CPU per prompt of
 * the second half can be told apart from the first half's start-up and JIT compilation (on two
 * cores C2 still used a third of the labeler's CPU 30 s into a 300,000-prompt run).
 */
final class SteadyStateWindow implements AutoCloseable {

  static final String LABELS_PRODUCED = "distillery_labeler_labels_produced_total";

  private final ServiceProcess labeler;
  private final ServiceProcess teacher;
  private final long total;
  private final Progress progress;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "bench-progress");
            thread.setDaemon(true);
            return thread;
          });
  private volatile Mark halfWay;
  private volatile Mark end;
  private final CountDownLatch allLabelled = new CountDownLatch(1);

  /** CPU of both processes when the labeler had acknowledged {@code labels} soft labels. */
  record Mark(long labels, Duration labelerCpu, ThreadCpu labelerThreads, Duration teacherCpu) {}

  /**
   * The second half of a run: prompts labelled and CPU spent by each process, with the labeler's
   * JIT compiler and GC threads' share.
   */
  record Window(long labels, Duration labelerCpu, ThreadCpu labelerThreads, Duration teacherCpu) {
    double labelerMicrosPerPrompt() {
      return labelerCpu.toNanos() / 1e3 / labels;
    }

    double labelerJitMicrosPerPrompt() {
      return labelerThreads.jit().toNanos() / 1e3 / labels;
    }

    double labelerGcMicrosPerPrompt() {
      return labelerThreads.gc().toNanos() / 1e3 / labels;
    }

    double teacherMicrosPerPrompt() {
      return teacherCpu.toNanos() / 1e3 / labels;
    }
  }

  SteadyStateWindow(ServiceProcess labeler, ServiceProcess teacher, long total) {
    this.labeler = labeler;
    this.teacher = teacher;
    this.total = total;
    this.progress = Progress.start("Labelling", total, "prompts");
    // A scrape of the labeler's /q/metrics costs it CPU too: every 2 s is 0.3% of a core, every
    // 200 ms was 7% of the labeler's Java samples in a profile. The mark holds the count it saw.
    poller.scheduleWithFixedDelay(this::poll, 0, 2, TimeUnit.SECONDS);
  }

  private void poll() {
    try {
      double produced = labeler.metric(LABELS_PRODUCED);
      if (Double.isNaN(produced)) {
        return;
      }
      long labels = (long) produced;
      if (halfWay == null && labels >= total / 2) {
        halfWay =
            new Mark(
                labels, labeler.cpuTime(), ThreadCpu.of(labeler.handle().pid()), teacher.cpuTime());
      }
      if (end == null && labels >= total) {
        end = mark(labels);
        allLabelled.countDown();
      }
      progress.stepTo(Math.min(labels, total));
    } catch (Exception e) {
      // A missed poll only delays the mark by one interval; the run itself is not affected.
    }
  }

  private Mark mark(long labels) {
    return new Mark(
        labels, labeler.cpuTime(), ThreadCpu.of(labeler.handle().pid()), teacher.cpuTime());
  }

  /**
   * Waits until the labeler has acknowledged every prompt's label, so the benchmark reads the
   * labels back afterwards instead of competing for the same cores while it measures.
   *
   * @return false when {@code timeout} passed first
   */
  boolean awaitAllLabelled(Duration timeout) throws InterruptedException {
    return allLabelled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The window from the half-way mark to the end (or to now, when the end was not seen), or null
   * when the half-way mark was never taken (the run was too short for a poll to see it).
   */
  Window secondHalf() {
    Mark from = halfWay;
    if (from == null) {
      return null;
    }
    Mark to = end != null ? end : mark(total);
    return new Window(
        to.labels() - from.labels(),
        to.labelerCpu().minus(from.labelerCpu()),
        to.labelerThreads().minus(from.labelerThreads()),
        to.teacherCpu().minus(from.teacherCpu()));
  }

  @Override
  public void close() {
    poller.shutdownNow();
    progress.stepTo(total);
    progress.close();
  }
}
