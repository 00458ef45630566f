package io.distillery.proto.kafka;

import com.google.protobuf.Message;
import java.util.Objects;

/**
 * The outcome of decoding one Kafka record value: the event, or the reason it could not be decoded.
 * Either way the original bytes are kept, so a consumer can route a bad record to a dead-letter
 * topic unchanged instead of throwing and stopping its channel.
 *
 * @param <T> the expected event type
 */
public sealed interface Decoded<T extends Message> {

  /** The record value exactly as it was read (empty array for a null value). */
  byte[] raw();

  /** A successfully decoded event. */
  record Ok<T extends Message>(T value, WireFormat format, byte[] raw) implements Decoded<T> {
    public Ok {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(raw, "raw");
    }
  }

  /** A value that could not be decoded. */
  record Failed<T extends Message>(DecodeFailure failure, byte[] raw) implements Decoded<T> {
    public Failed {
      Objects.requireNonNull(failure, "failure");
      Objects.requireNonNull(raw, "raw");
    }
  }

  /** How the value was encoded on the wire. */
  enum WireFormat {
    /** Protobuf binary encoding. */
    PROTOBUF,
    /** Protobuf's canonical JSON mapping. */
    JSON
  }
}
