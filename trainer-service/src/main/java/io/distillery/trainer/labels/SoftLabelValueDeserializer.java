package io.distillery.trainer.labels;

import com.google.protobuf.InvalidProtocolBufferException;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.SoftLabelEventDeserializer;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.Task;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The shared {@link SoftLabelEventDeserializer}, with a fast path for well-formed protobuf values.
 *
 * <p>Why: the shared decoder looks for unknown enum values by walking every field reflectively,
 * which boxes each of an image's 784 floats — about 20 µs per label, more than a training step
 * spends on it. The fast path parses directly and checks the only enum fields a {@link
 * SoftLabelEvent} has (the teacher card's task and distillation policy; a test pins that list).
 * Anything else — JSON, bad bytes, an unknown enum value — goes to the shared decoder, so every
 * outcome, failure reasons included, is the one the shared serde gives.
 */
public final class SoftLabelValueDeserializer implements Deserializer<Decoded<SoftLabelEvent>> {

  private final SoftLabelEventDeserializer shared = new SoftLabelEventDeserializer();

  @Override
  public Decoded<SoftLabelEvent> deserialize(String topic, byte[] data) {
    if (data != null && data.length > 0 && data[0] != '{') {
      try {
        SoftLabelEvent event = SoftLabelEvent.parseFrom(data);
        if (knownEnums(event)) {
          return new Decoded.Ok<>(event, Decoded.WireFormat.PROTOBUF, data);
        }
      } catch (InvalidProtocolBufferException e) {
        // The shared decoder classifies it (truncated, malformed, or JSON after whitespace).
      }
    }
    return shared.deserialize(topic, data);
  }

  private static boolean knownEnums(SoftLabelEvent event) {
    return event.getTeacher().getTask() != Task.UNRECOGNIZED
        && event.getTeacher().getDistillation() != DistillationPolicy.UNRECOGNIZED;
  }
}
