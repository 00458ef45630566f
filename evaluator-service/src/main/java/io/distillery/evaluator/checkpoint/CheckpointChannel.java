package io.distillery.evaluator.checkpoint;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.CheckpointEvent;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Kafka adapter for {@code distill.checkpoints}: hands each decoded record to the intake. */
public class CheckpointChannel {

  /** Channel name in {@code application.properties}. */
  public static final String CHECKPOINTS = "checkpoints";

  private final CheckpointIntake intake;

  public CheckpointChannel(CheckpointIntake intake) {
    this.intake = intake;
  }

  @Incoming(CHECKPOINTS)
  public CompletionStage<Void> onCheckpoint(Message<Decoded<CheckpointEvent>> message) {
    intake.accept(message.getPayload());
    return message.ack();
  }
}
