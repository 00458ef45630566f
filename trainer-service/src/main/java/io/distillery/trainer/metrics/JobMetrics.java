package io.distillery.trainer.metrics;

import io.distillery.trainer.labels.SkipReason;
import io.distillery.trainer.training.StepResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The metrics of one job, tagged {@code job=<id>}; names start with {@code distillery_trainer_}.
 * Loss gauges are exponential moving averages over about 50 steps (a single step's loss is noise);
 * samples/s is measured over windows of at least 5 s. One instance per job id and registry (see
 * {@link TrainerMetrics}): a gauge registered twice keeps reading the first object.
 */
public final class JobMetrics {

  private static final double LOSS_SMOOTHING = 0.02;
  private static final long RATE_WINDOW_NANOS = 5_000_000_000L;

  private final MeterRegistry registry;
  private final String job;
  private final AtomicLong step = new AtomicLong();
  private final AtomicLong pass = new AtomicLong();
  private final Counter samples;
  private final Counter checkpoints;
  private final Counter updatesDropped;
  private final Timer checkpointDuration;
  private final Map<SkipReason, Counter> skipped = new EnumMap<>(SkipReason.class);
  private final Timer teacherWait;
  private final AtomicLong teacherUp = new AtomicLong(1);
  private final AtomicLong running = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile double lossTotal = Double.NaN;
  private volatile double lossHard = Double.NaN;
  private volatile double lossSoft = Double.NaN;
  private volatile double samplesPerSecond;
  private volatile double positionsPerSecond;
  private final Counter positions;
  private long windowPositions;
  private volatile LongSupplier lagSource = () -> -1;
  private long windowStart = System.nanoTime();
  private long windowSamples;

  public JobMetrics(MeterRegistry registry, String job) {
    this.registry = registry;
    this.job = job;
    Gauge.builder("distillery_trainer_step", step, AtomicLong::get)
        .description("Optimizer steps taken by the job")
        .tag("job", job)
        .register(registry);
    Gauge.builder("distillery_trainer_pass", pass, AtomicLong::get)
        .description("Pass over the soft-label log the job is in (0-based)")
        .tag("job", job)
        .register(registry);
    samples =
        Counter.builder("distillery_trainer_samples")
            .description("Samples trained on")
            .tag("job", job)
            .register(registry);
    positions =
        Counter.builder("distillery_trainer_positions")
            .description(
                "Output positions trained on: one per sample of a classifier, one per token of a"
                    + " language model")
            .tag("job", job)
            .register(registry);
    Gauge.builder("distillery_trainer_positions_per_second", this, m -> m.positionsPerSecond)
        .description(
            "Positions (tokens, for a language model) trained per second over the last window of"
                + " at least 5 s")
        .tag("job", job)
        .register(registry);
    lossGauge("total", m -> m.lossTotal);
    lossGauge("hard", m -> m.lossHard);
    lossGauge("soft", m -> m.lossSoft);
    Gauge.builder("distillery_trainer_samples_per_second", this, m -> m.samplesPerSecond)
        .description("Training throughput over the last window of at least 5 s")
        .tag("job", job)
        .register(registry);
    updatesDropped =
        Counter.builder("distillery_trainer_updates_dropped")
            .description(
                "Optimizer updates dropped: their gradient was impossible for a correct batch")
            .tag("job", job)
            .register(registry);
    checkpoints =
        Counter.builder("distillery_trainer_checkpoints_written")
            .description("Checkpoints written")
            .tag("job", job)
            .register(registry);
    checkpointDuration =
        Timer.builder("distillery_trainer_checkpoint_duration")
            .description("Time to write and announce a checkpoint")
            .tag("job", job)
            .register(registry);
    for (SkipReason reason : SkipReason.values()) {
      skipped.put(
          reason,
          Counter.builder("distillery_trainer_labels_skipped")
              .description("Soft labels not trained on, by reason")
              .tag("job", job)
              .tag("reason", reason.tag())
              .register(registry));
    }
    teacherWait =
        Timer.builder("distillery_trainer_teacher_wait")
            .description("Time training waited for the teacher's labels (online mode)")
            .tag("job", job)
            .register(registry);
    Gauge.builder("distillery_trainer_teacher_up", teacherUp, AtomicLong::get)
        .description("1 while the teacher answers (online mode), 0 during an outage")
        .tag("job", job)
        .register(registry);
    Gauge.builder("distillery_trainer_consumer_lag_records", this, m -> m.lagSource.getAsLong())
        .description("Records between the job's read position and the log's end, all partitions")
        .tag("job", job)
        .register(registry);
    Gauge.builder("distillery_trainer_job_running", running, AtomicLong::get)
        .description("1 while the job runs")
        .tag("job", job)
        .register(registry);
    Gauge.builder("distillery_trainer_job_failed", failed, AtomicLong::get)
        .description("1 when the job stopped on an error (see /q/health/ready)")
        .tag("job", job)
        .register(registry);
  }

  // The gauge reads this object, held strongly by TrainerMetrics: Micrometer keeps only a weak
  // reference, and a lambda of its own would be collected (the loss then vanished from /q/metrics).
  private void lossGauge(String part, java.util.function.ToDoubleFunction<JobMetrics> value) {
    Gauge.builder("distillery_trainer_loss", this, value)
        .description("Training loss (moving average): total, hard-label CE, soft divergence")
        .tag("job", job)
        .tag("part", part)
        .register(registry);
  }

  /** Points the consumer-lag gauge at the job's current label feed. */
  public void lag(LongSupplier source) {
    lagSource = source;
  }

  /** A Label request to the teacher ended with this outcome (ok or a gRPC status). */
  public void teacherRequest(String outcome) {
    Counter.builder("distillery_trainer_teacher_requests")
        .description("Label requests to the teacher (online mode), by outcome")
        .tag("job", job)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /** A step was taken (one position per sample). */
  public synchronized void stepped(long newStep, int count, StepResult loss) {
    stepped(newStep, count, count, loss);
  }

  /** A step was taken on {@code count} samples holding {@code positionCount} output positions. */
  public synchronized void stepped(long newStep, int count, long positionCount, StepResult loss) {
    step.set(newStep);
    positions.increment(positionCount);
    windowPositions += positionCount;
    samples.increment(count);
    if (!loss.applied()) {
      // Its loss describes a corrupt batch: keep it out of the averages.
      updatesDropped.increment();
    } else {
      lossTotal = smooth(lossTotal, loss.total());
      lossHard = smooth(lossHard, loss.hard());
      lossSoft = smooth(lossSoft, loss.soft());
    }
    windowSamples += count;
    long now = System.nanoTime();
    if (now - windowStart >= RATE_WINDOW_NANOS) {
      samplesPerSecond = windowSamples / ((now - windowStart) / 1e9);
      positionsPerSecond = windowPositions / ((now - windowStart) / 1e9);
      windowPositions = 0;
      windowStart = now;
      windowSamples = 0;
    }
  }

  private static double smooth(double previous, float value) {
    return Double.isNaN(previous) ? value : previous + LOSS_SMOOTHING * (value - previous);
  }

  public void step(long value) {
    step.set(value);
  }

  public void pass(int value) {
    pass.set(value);
  }

  public void checkpointWritten(Duration took) {
    checkpoints.increment();
    checkpointDuration.record(took);
  }

  public void skipped(SkipReason reason) {
    skipped.get(reason).increment();
  }

  public void teacherWaited(Duration waited) {
    teacherWait.record(waited);
  }

  public void teacherUp(boolean up) {
    teacherUp.set(up ? 1 : 0);
  }

  public void running(boolean value) {
    running.set(value ? 1 : 0);
  }

  public void failed(boolean value) {
    failed.set(value ? 1 : 0);
  }
}
