package io.distillery.labeler.deadletter;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Kafka adapter for {@code distill.prompts.dlq}: writes the original bytes with the original key
 * and the {@link DeadLetterHeaders}.
 */
@ApplicationScoped
public class DeadLetterChannel implements DeadLetterSink {

  /** Channel name in {@code application.properties}. */
  public static final String DEAD_LETTERS = "dead-letters";

  private final MutinyEmitter<byte[]> emitter;

  // Unbounded is safe: the labeling service bounds the work in flight.
  public DeadLetterChannel(
      @Channel(DEAD_LETTERS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
          MutinyEmitter<byte[]> emitter) {
    this.emitter = emitter;
  }

  @Override
  public Uni<Void> send(DeadLetter letter) {
    return emitter.sendMessage(
        Message.of(letter.value())
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(letter.key())
                    .withHeaders(DeadLetterHeaders.of(letter))
                    .build()));
  }
}
