package io.distillery.labeler.labeling;

import io.distillery.proto.v1.SoftLabelEvent;
import java.util.Objects;

/**
 * A soft label with the bytes a consumer reads: {@code event.toByteArray()}, written without
 * encoding the prompt's input and the teacher card again (see {@link SoftLabelEncoder}).
 *
 * @param event the soft label
 * @param bytes its protobuf encoding
 */
public record EncodedSoftLabel(SoftLabelEvent event, byte[] bytes) {

  public EncodedSoftLabel {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(bytes, "bytes");
  }

  /** A label encoded by protobuf itself. */
  public static EncodedSoftLabel of(SoftLabelEvent event) {
    return new EncodedSoftLabel(event, event.toByteArray());
  }
}
