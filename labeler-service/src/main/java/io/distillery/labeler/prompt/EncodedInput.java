package io.distillery.labeler.prompt;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.PromptEvent;
import java.io.IOException;

/**
 * The {@code input} field of a prompt record as it came from Kafka, so the teacher request can
 * carry those bytes instead of protobuf writing every float of the input again.
 */
final class EncodedInput {

  /** Field number and wire type of {@code PromptEvent.input}, as protobuf writes its tag. */
  private static final int INPUT_TAG =
      PromptEvent.INPUT_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private EncodedInput() {}

  /**
   * The encoded {@code ModelInput} of {@code event}: a slice of the record when {@code event} is
   * the record's own decoding (protobuf, input field present once), else {@code event}'s input
   * serialised (a normalised or windowed prompt, or a JSON record).
   */
  static ByteString of(IncomingPrompt origin, PromptEvent event) {
    Decoded<PromptEvent> decoded = origin.decoded();
    if (decoded instanceof Decoded.Ok<PromptEvent> ok
        && ok.value() == event
        && ok.format() == Decoded.WireFormat.PROTOBUF) {
      ByteString slice = inputField(ok.raw());
      if (slice != null) {
        return slice;
      }
    }
    if (origin.tensorValues() != null) {
      // The event's tensor has no values (they are in the record): only the record's bytes hold
      // the input. The validator never rewrites such a prompt; a change that did would land here.
      throw new IllegalStateException(
          "prompt '" + event.getId() + "' lost its tensor values: its input was rewritten");
    }
    return event.getInput().toByteString();
  }

  /** Field {@code input} of an encoded PromptEvent, or null when absent or repeated (merged). */
  private static ByteString inputField(byte[] raw) {
    CodedInputStream in = CodedInputStream.newInstance(raw);
    in.enableAliasing(true);
    ByteString found = null;
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == INPUT_TAG) {
          if (found != null) {
            return null;
          }
          found = in.readBytes();
        } else if (!in.skipField(tag)) {
          return null;
        }
      }
    } catch (IOException e) {
      // The record was parsed already; fall back to serialising the parsed input.
      return null;
    }
    return found;
  }
}
