package io.distillery.trainer.checkpoint;

import io.distillery.proto.v1.CheckpointEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Kafka adapter for {@code distill.checkpoints}: one event per checkpoint, key = job id. */
@ApplicationScoped
public class CheckpointEventChannel implements CheckpointPublisher {

  /** Channel name in {@code application.properties}. */
  public static final String CHECKPOINTS = "checkpoints";

  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);

  private final MutinyEmitter<Record<String, CheckpointEvent>> emitter;

  public CheckpointEventChannel(
      @Channel(CHECKPOINTS) MutinyEmitter<Record<String, CheckpointEvent>> emitter) {
    this.emitter = emitter;
  }

  /** Sends the event and waits for the broker's acknowledgement (acks=all). */
  @Override
  public void publish(CheckpointEvent event) throws TimeoutException {
    emitter.send(Record.of(event.getJobId(), event)).await().atMost(ACK_TIMEOUT);
  }
}
