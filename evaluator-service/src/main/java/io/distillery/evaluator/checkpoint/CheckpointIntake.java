package io.distillery.evaluator.checkpoint;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.CheckpointEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** Receives checkpoint events and accounts for them. */
// Started eagerly so its counters are exported (at zero) before the first record arrives.
@Startup
@ApplicationScoped
public class CheckpointIntake {

  private final Counter decoded;
  private final Counter undecodable;

  public CheckpointIntake(MeterRegistry registry) {
    this.decoded = consumed(registry, "decoded");
    this.undecodable = consumed(registry, "undecodable");
  }

  private static Counter consumed(MeterRegistry registry, String outcome) {
    return Counter.builder("distillery_evaluator_checkpoints_consumed")
        .description("Checkpoint events read, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Accounts for one checkpoint event. */
  public void accept(Decoded<CheckpointEvent> checkpoint) {
    (checkpoint instanceof Decoded.Ok ? decoded : undecodable).increment();
  }
}
