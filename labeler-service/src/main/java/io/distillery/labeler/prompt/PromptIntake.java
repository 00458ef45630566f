package io.distillery.labeler.prompt;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.PromptEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** Receives prompts from the topic and accounts for them by how they were encoded. */
// Started eagerly so its counters are exported (at zero) before the first record arrives.
@Startup
@ApplicationScoped
public class PromptIntake {

  private final Counter protobuf;
  private final Counter json;
  private final Counter undecodable;

  public PromptIntake(MeterRegistry registry) {
    this.protobuf = consumed(registry, "protobuf");
    this.json = consumed(registry, "json");
    this.undecodable = consumed(registry, "undecodable");
  }

  private static Counter consumed(MeterRegistry registry, String format) {
    return Counter.builder("distillery_labeler_prompts_consumed")
        .description("Prompts read from the prompt topic, by wire format")
        .tag("format", format)
        .register(registry);
  }

  /** Accounts for one record from the prompt topic. */
  public void accept(Decoded<PromptEvent> prompt) {
    if (!(prompt instanceof Decoded.Ok<PromptEvent> ok)) {
      undecodable.increment();
    } else if (ok.format() == Decoded.WireFormat.JSON) {
      json.increment();
    } else {
      protobuf.increment();
    }
  }
}
