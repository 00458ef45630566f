package io.distillery.labeler.prompt;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.PromptEvent;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Kafka adapter for {@code distill.prompts}: hands each decoded record to the intake. */
public class PromptChannel {

  /** Channel name in {@code application.properties}. */
  public static final String PROMPTS = "prompts";

  private final PromptIntake intake;

  public PromptChannel(PromptIntake intake) {
    this.intake = intake;
  }

  @Incoming(PROMPTS)
  public CompletionStage<Void> onPrompt(Message<Decoded<PromptEvent>> message) {
    intake.accept(message.getPayload());
    return message.ack();
  }
}
