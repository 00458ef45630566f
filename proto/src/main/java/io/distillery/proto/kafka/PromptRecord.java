package io.distillery.proto.kafka;

import io.distillery.proto.v1.PromptEvent;
import java.util.Objects;

/**
 * A prompt record's value as the labeler reads it.
 *
 * @param decoded the decoded prompt or why it could not be decoded, with the original bytes
 * @param tensorValues when not null, the prompt is a plain protobuf tensor prompt whose {@code
 *     input.tensor.values} were left in the record's bytes: the decoded event's tensor has its
 *     shape but no values, and these are its values (see {@link PromptRecordDeserializer})
 */
public record PromptRecord(Decoded<PromptEvent> decoded, PackedFloats tensorValues) {

  public PromptRecord {
    Objects.requireNonNull(decoded, "decoded");
    if (tensorValues != null && !(decoded instanceof Decoded.Ok<PromptEvent>)) {
      throw new IllegalArgumentException("tensor values of a record that was not decoded");
    }
  }

  /** A record decoded in full. */
  public static PromptRecord of(Decoded<PromptEvent> decoded) {
    return new PromptRecord(decoded, null);
  }
}
