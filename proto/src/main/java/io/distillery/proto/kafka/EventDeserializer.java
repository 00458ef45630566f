package io.distillery.proto.kafka;

import com.google.protobuf.Message;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A Kafka deserializer that yields {@link Decoded} values instead of throwing, so a bad record
 * reaches the consumer method, which can dead-letter it, rather than stopping the channel.
 * Subclasses exist per event type because Kafka instantiates deserializers by class name.
 *
 * @param <T> the event type
 */
public abstract class EventDeserializer<T extends Message> implements Deserializer<Decoded<T>> {

  private final EventDecoder<T> decoder;

  protected EventDeserializer(T defaultInstance) {
    this.decoder = new EventDecoder<>(defaultInstance);
  }

  @Override
  public Decoded<T> deserialize(String topic, byte[] data) {
    return decoder.decode(data);
  }
}
