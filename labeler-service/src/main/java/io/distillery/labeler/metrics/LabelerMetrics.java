package io.distillery.labeler.metrics;

import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.proto.kafka.Decoded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Every metric of the labeler, prefixed {@code distillery_labeler_}. Counters of known tags are
 * registered at zero so that dashboards and alerts see them before the first event.
 */
// Started eagerly so the zero-valued meters are exported before the first record arrives.
@Startup
@ApplicationScoped
public class LabelerMetrics {

  private static final String PREFIX = "distillery_labeler_";

  private final MeterRegistry registry;
  private final Counter consumedProtobuf;
  private final Counter consumedJson;
  private final Counter consumedUndecodable;
  private final Counter labelsProduced;
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private final Map<String, Timer> teacherRequests = new ConcurrentHashMap<>();
  private final Counter teacherBackoffs;
  private final DistributionSummary teacherBatchSize;
  private final DistributionSummary pollBatchSize;
  private final AtomicInteger promptsInFlight = new AtomicInteger();
  private final AtomicInteger teacherUp = new AtomicInteger();
  private final AtomicInteger gateOpen = new AtomicInteger();

  public LabelerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.consumedProtobuf = consumed("protobuf");
    this.consumedJson = consumed("json");
    this.consumedUndecodable = consumed("undecodable");
    this.labelsProduced =
        Counter.builder(PREFIX + "labels_produced")
            .description("Soft labels acknowledged by the broker")
            .register(registry);
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLetters.put(
          reason,
          Counter.builder(PREFIX + "dlq_records")
              .description("Prompts written to the dead-letter topic, by reason")
              .tag("reason", reason.tag())
              .register(registry));
    }
    this.teacherBackoffs =
        Counter.builder(PREFIX + "teacher_backoffs")
            .description(
                "Times a teacher batch was held back because the teacher was down or slow"
                    + " (after quick retries or with the circuit open)")
            .register(registry);
    this.teacherBatchSize =
        DistributionSummary.builder(PREFIX + "teacher_batch_size")
            .description("Samples per Label request")
            .baseUnit("samples")
            .register(registry);
    this.pollBatchSize =
        DistributionSummary.builder(PREFIX + "poll_batch_size")
            .description("Records per Kafka poll batch handed to the labeler")
            .baseUnit("records")
            .register(registry);
    teacherTimer("ok");
    Gauge.builder(PREFIX + "prompts_in_flight", promptsInFlight, AtomicInteger::get)
        .description("Prompts read from Kafka whose label or dead letter is not yet acknowledged")
        .register(registry);
    Gauge.builder(PREFIX + "teacher_up", teacherUp, AtomicInteger::get)
        .description("1 when the last teacher call succeeded, 0 when it failed")
        .register(registry);
    Gauge.builder(PREFIX + "gate_open", gateOpen, AtomicInteger::get)
        .description("1 when the start-up gate let the labeler consume, 0 otherwise")
        .register(registry);
  }

  private Counter consumed(String format) {
    return Counter.builder(PREFIX + "prompts_consumed")
        .description("Prompts read from the prompt topic, by wire format")
        .tag("format", format)
        .register(registry);
  }

  /** Exports the number of busy in-flight units (teacher requests or dead-letter groups). */
  public void registerWorkInFlight(IntSupplier inUse) {
    Gauge.builder(PREFIX + "batches_in_flight", inUse::getAsInt)
        .description(
            "Units of work in flight: teacher requests with the production of their labels,"
                + " and groups of dead letters")
        .register(registry);
  }

  /** One record of a poll batch, by how it was encoded. */
  public void consumed(Decoded<?> decoded) {
    if (!(decoded instanceof Decoded.Ok<?> ok)) {
      consumedUndecodable.increment();
    } else if (ok.format() == Decoded.WireFormat.JSON) {
      consumedJson.increment();
    } else {
      consumedProtobuf.increment();
    }
  }

  /** A poll batch of {@code records} records reached the labeler. */
  public void pollBatch(int records) {
    pollBatchSize.record(records);
  }

  /** {@code count} prompts were taken on (+) or finished (-). */
  public void promptsInFlight(int delta) {
    promptsInFlight.addAndGet(delta);
  }

  /** A soft label was acknowledged by the broker. */
  public void labelProduced() {
    labelsProduced.increment();
  }

  /** {@code count} soft labels were acknowledged by the broker. */
  public void labelsProduced(int count) {
    labelsProduced.increment(count);
  }

  /** A dead letter was acknowledged by the broker. */
  public void deadLettered(DeadLetterReason reason) {
    deadLetters.get(reason).increment();
  }

  /** A Label request of {@code samples} samples is sent. */
  public void teacherBatch(int samples) {
    teacherBatchSize.record(samples);
  }

  /** One Label call ended with {@code outcome} (a gRPC status code, kebab-case) after {@code d}. */
  public void teacherCall(String outcome, Duration duration) {
    teacherTimer(outcome).record(duration);
  }

  private Timer teacherTimer(String outcome) {
    return teacherRequests.computeIfAbsent(
        outcome,
        tag ->
            Timer.builder(PREFIX + "teacher_request")
                .description("Latency of Label calls to the teacher, by outcome")
                .tag("outcome", tag)
                .publishPercentileHistogram()
                .register(registry));
  }

  /** A teacher batch is held back for another attempt later. */
  public void teacherBackoff() {
    teacherBackoffs.increment();
  }

  /** Whether the last teacher call succeeded. */
  public void teacherUp(boolean up) {
    teacherUp.set(up ? 1 : 0);
  }

  /** Whether the start-up gate is open. */
  public void gateOpen(boolean open) {
    gateOpen.set(open ? 1 : 0);
  }
}
