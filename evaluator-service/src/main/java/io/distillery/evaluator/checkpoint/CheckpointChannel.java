package io.distillery.evaluator.checkpoint;

import io.distillery.evaluator.evaluation.EvaluationService;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.CheckpointEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Kafka adapter for {@code distill.checkpoints}: hands each record to the evaluation service, one
 * at a time and in order. The record is acknowledged (its offset may be committed) only once its
 * evaluation is acknowledged by the broker.
 */
@ApplicationScoped
public class CheckpointChannel {

  /** Channel name in {@code application.properties}. */
  public static final String CHECKPOINTS = "checkpoints";

  private final EvaluationService evaluations;

  public CheckpointChannel(EvaluationService evaluations) {
    this.evaluations = evaluations;
  }

  @Incoming(CHECKPOINTS)
  @Blocking
  public void onCheckpoint(ConsumerRecord<String, Decoded<CheckpointEvent>> record) {
    try {
      evaluations.handle(record.key(), record.value());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Not acknowledged: a restarted evaluator reads this checkpoint again.
      throw new IllegalStateException(
          "shut down while job " + record.key() + " waited for the teacher", e);
    }
  }
}
