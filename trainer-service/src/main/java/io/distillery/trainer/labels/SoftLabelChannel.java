package io.distillery.trainer.labels;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.SoftLabelEvent;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Kafka adapter for {@code distill.soft-labels}: hands each decoded record to the intake. */
public class SoftLabelChannel {

  /** Channel name in {@code application.properties}. */
  public static final String SOFT_LABELS = "soft-labels";

  private final SoftLabelIntake intake;

  public SoftLabelChannel(SoftLabelIntake intake) {
    this.intake = intake;
  }

  @Incoming(SOFT_LABELS)
  public CompletionStage<Void> onSoftLabel(Message<Decoded<SoftLabelEvent>> message) {
    intake.accept(message.getPayload());
    return message.ack();
  }
}
