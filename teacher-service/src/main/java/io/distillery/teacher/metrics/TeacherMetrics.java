package io.distillery.teacher.metrics;

import io.distillery.teacher.batching.BatcherListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The teacher's Prometheus metrics, all prefixed {@code distillery_teacher_}. Request and rejection
 * counters of known tags are registered at zero so that dashboards and alerts see them before the
 * first failure.
 */
// Started eagerly: the bean is otherwise created on its first call, and its meters with it.
@Startup
@ApplicationScoped
public class TeacherMetrics implements BatcherListener {

  /** The RPCs counted by {@link #request}. */
  public static final List<String> RPCS = List.of("describe", "label", "label-stream");

  /** The outcomes counted by {@link #request}. */
  public static final List<String> OUTCOMES =
      List.of("ok", "invalid", "rejected", "refused", "expired", "unavailable", "error");

  /**
   * The rejection reasons: {@code queue-full}, {@code deadline} (the queue ahead would outlast the
   * caller's deadline) and those of the request validator and of each task's sample checks.
   */
  public static final List<String> REJECTION_REASONS =
      List.of(
          "queue-full",
          "deadline",
          "empty-batch",
          "batch-too-large",
          "top-k",
          "temperature",
          "input-kind",
          "shape",
          "size",
          "non-finite",
          "empty-sequence",
          "too-long",
          "token-id",
          "generation");

  private final MeterRegistry registry;
  private final Counter samples;
  private final DistributionSummary batchSize;
  private final Timer inference;
  private final Counter failedBatches;
  // Counters of the known tags, resolved once: a registry lookup builds tags and hashes them on
  // every call.
  private final Map<String, Map<String, Counter>> requests = new HashMap<>();
  private final Map<String, Counter> rejections = new HashMap<>();

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
    for (String rpc : RPCS) {
      for (String outcome : OUTCOMES) {
        requests
            .computeIfAbsent(rpc, r -> new HashMap<>())
            .put(
                outcome,
                registry.counter("distillery_teacher_requests", "rpc", rpc, "outcome", outcome));
      }
    }
    for (String reason : REJECTION_REASONS) {
      rejections.put(reason, registry.counter("distillery_teacher_rejections", "reason", reason));
    }
  }

  /**
   * Counts one finished RPC by its outcome (ok, invalid, rejected, refused, expired, unavailable,
   * error).
   */
  public void request(String rpc, String outcome) {
    Map<String, Counter> byOutcome = requests.get(rpc);
    Counter known = byOutcome == null ? null : byOutcome.get(outcome);
    (known != null
            ? known
            : registry.counter("distillery_teacher_requests", "rpc", rpc, "outcome", outcome))
        .increment();
  }

  /** Counts a rejected request by reason (queue-full, top-k, size, ...). */
  public void rejection(String reason) {
    Counter known = rejections.get(reason);
    (known != null ? known : registry.counter("distillery_teacher_rejections", "reason", reason))
        .increment();
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
