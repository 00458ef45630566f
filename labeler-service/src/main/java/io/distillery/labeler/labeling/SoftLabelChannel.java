package io.distillery.labeler.labeling;

import io.distillery.proto.v1.SoftLabelEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** Kafka adapter for {@code distill.soft-labels}: one record per prompt, key = prompt id. */
@ApplicationScoped
public class SoftLabelChannel implements LabelSink {

  /** Channel name in {@code application.properties}. */
  public static final String SOFT_LABELS = "soft-labels";

  private final MutinyEmitter<SoftLabelEvent> emitter;

  // Unbounded is safe: the labeling service bounds the work in flight.
  public SoftLabelChannel(
      @Channel(SOFT_LABELS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
          MutinyEmitter<SoftLabelEvent> emitter) {
    this.emitter = emitter;
  }

  @Override
  public Uni<Void> send(String key, SoftLabelEvent event) {
    return emitter.sendMessage(
        Message.of(event)
            .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
  }
}
