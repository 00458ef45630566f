package io.distillery.teacher.metrics;

import io.distillery.teacher.batching.BatcherListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** The teacher's Prometheus metrics, all prefixed {@code distillery_teacher_}. */
@ApplicationScoped
public class TeacherMetrics implements BatcherListener {

  private final MeterRegistry registry;
  private final Counter samples;
  private final DistributionSummary batchSize;
  private final Timer inference;
  private final Counter failedBatches;

  public TeacherMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.samples =
        Counter.builder("distillery_teacher_samples")
            .description("Samples labelled")
            .register(registry);
    this.batchSize =
        DistributionSummary.builder("distillery_teacher_batch_size")
            .description("Samples per forward pass")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
            .register(registry);
    this.inference =
        Timer.builder("distillery_teacher_inference")
            .description("Duration of one forward pass")
            .publishPercentileHistogram()
            .register(registry);
    this.failedBatches =
        Counter.builder("distillery_teacher_failed_batches")
            .description("Forward passes that failed")
            .register(registry);
  }

  /** Counts one finished RPC by its outcome (ok, invalid, rejected, unavailable, error). */
  public void request(String rpc, String outcome) {
    registry.counter("distillery_teacher_requests", "rpc", rpc, "outcome", outcome).increment();
  }

  /** Counts a rejected request by reason (queue-full, top-k, size, ...). */
  public void rejection(String reason) {
    registry.counter("distillery_teacher_rejections", "reason", reason).increment();
  }

  /** Counts labelled samples. */
  public void labelled(int count) {
    samples.increment(count);
  }

  @Override
  public void batchRun(int size, long nanos) {
    batchSize.record(size);
    inference.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void batchFailed(int size, Throwable cause) {
    failedBatches.increment();
  }
}
