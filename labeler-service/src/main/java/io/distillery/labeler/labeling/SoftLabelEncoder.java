package io.distillery.labeler.labeling;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.TeacherCard;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes a soft label as protobuf would, but splices in the prompt's input as the record carried
 * it and the teacher card's bytes encoded once: writing the input's floats and the card again for
 * every label was a seventh of the labeler's CPU (BENCHMARKS.md). An encoded message is the
 * concatenation of its encoded fields in field-number order, so the result is byte-for-byte what
 * {@code toByteArray()} writes when the input bytes are canonical, and parse-equal otherwise.
 * Thread-safe.
 */
final class SoftLabelEncoder {

  /** The last card encoded, with its bytes; the plan's card is one object for many labels. */
  private record EncodedCard(TeacherCard card, ByteString bytes) {}

  private volatile EncodedCard lastCard = new EncodedCard(null, ByteString.EMPTY);

  /**
   * The bytes of {@code event}, whose input is {@code encodedInput} (the prompt's {@code
   * ModelInput} as encoded on the prompt record).
   */
  byte[] encode(SoftLabelEvent event, ByteString encodedInput) {
    // Fields 1..5 are written here; protobuf writes every later field after them in order.
    SoftLabelEvent rest =
        event.toBuilder()
            .clearPromptId()
            .clearDataset()
            .clearInput()
            .clearLabel()
            .clearTeacher()
            .build();
    String id = event.getPromptId();
    String dataset = event.getDataset();
    ByteString card = event.hasTeacher() ? card(event.getTeacher()) : ByteString.EMPTY;
    int size = rest.getSerializedSize();
    if (!id.isEmpty()) {
      size += CodedOutputStream.computeStringSize(SoftLabelEvent.PROMPT_ID_FIELD_NUMBER, id);
    }
    if (!dataset.isEmpty()) {
      size += CodedOutputStream.computeStringSize(SoftLabelEvent.DATASET_FIELD_NUMBER, dataset);
    }
    if (event.hasInput()) {
      size += CodedOutputStream.computeBytesSize(SoftLabelEvent.INPUT_FIELD_NUMBER, encodedInput);
    }
    if (event.hasLabel()) {
      size +=
          CodedOutputStream.computeInt32Size(SoftLabelEvent.LABEL_FIELD_NUMBER, event.getLabel());
    }
    if (event.hasTeacher()) {
      size += CodedOutputStream.computeBytesSize(SoftLabelEvent.TEACHER_FIELD_NUMBER, card);
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      if (!id.isEmpty()) {
        out.writeString(SoftLabelEvent.PROMPT_ID_FIELD_NUMBER, id);
      }
      if (!dataset.isEmpty()) {
        out.writeString(SoftLabelEvent.DATASET_FIELD_NUMBER, dataset);
      }
      if (event.hasInput()) {
        // A length-delimited field's bytes are exactly its message's encoding.
        out.writeBytes(SoftLabelEvent.INPUT_FIELD_NUMBER, encodedInput);
      }
      if (event.hasLabel()) {
        out.writeInt32(SoftLabelEvent.LABEL_FIELD_NUMBER, event.getLabel());
      }
      if (event.hasTeacher()) {
        out.writeBytes(SoftLabelEvent.TEACHER_FIELD_NUMBER, card);
      }
      rest.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      // Writing to an array of the computed size cannot fail; this would be a bug here.
      throw new UncheckedIOException("could not encode the soft label of " + id, e);
    }
    return bytes;
  }

  private ByteString card(TeacherCard card) {
    EncodedCard last = lastCard;
    if (last.card() != card) {
      last = new EncodedCard(card, card.toByteString());
      lastCard = last;
    }
    return last.bytes();
  }
}
