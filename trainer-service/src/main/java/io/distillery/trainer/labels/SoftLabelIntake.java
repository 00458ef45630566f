package io.distillery.trainer.labels;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** Receives soft labels from the log and accounts for them per job. */
// Started eagerly so its counters are exported (at zero) before the first record arrives.
@Startup
@ApplicationScoped
public class SoftLabelIntake {

  private final Counter decoded;
  private final Counter undecodable;

  public SoftLabelIntake(MeterRegistry registry, TrainerConfig config) {
    this.decoded = consumed(registry, config.job(), "decoded");
    this.undecodable = consumed(registry, config.job(), "undecodable");
  }

  private static Counter consumed(MeterRegistry registry, String job, String outcome) {
    return Counter.builder("distillery_trainer_labels_consumed")
        .description("Soft labels read from the label log, by outcome")
        .tag("job", job)
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Accounts for one record from the soft-label log. */
  public void accept(Decoded<SoftLabelEvent> label) {
    (label instanceof Decoded.Ok ? decoded : undecodable).increment();
  }
}
