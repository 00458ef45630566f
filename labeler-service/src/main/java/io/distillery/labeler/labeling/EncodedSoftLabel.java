package io.distillery.labeler.labeling;

import com.google.protobuf.InvalidProtocolBufferException;
import io.distillery.proto.v1.SoftLabelEvent;
import java.util.Objects;

/**
 * A soft label as it goes to Kafka: its key and its protobuf bytes, written without encoding the
 * prompt's input and the teacher card again (see {@link SoftLabelEncoder}). The bytes are the
 * label: the event the labeler built may lack the input's floats, which it never parsed.
 *
 * @param promptId the record key
 * @param bytes the encoded {@code SoftLabelEvent}
 */
public record EncodedSoftLabel(String promptId, byte[] bytes) {

  public EncodedSoftLabel {
    Objects.requireNonNull(promptId, "promptId");
    Objects.requireNonNull(bytes, "bytes");
  }

  /** A label encoded by protobuf itself. */
  public static EncodedSoftLabel of(SoftLabelEvent event) {
    return new EncodedSoftLabel(event.getPromptId(), event.toByteArray());
  }

  /** The label decoded from its bytes, as a consumer reads it. */
  public SoftLabelEvent event() {
    try {
      return SoftLabelEvent.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("soft label of prompt '" + promptId + "' is not valid", e);
    }
  }
}
