package io.distillery.labeler.prompt;

import com.google.protobuf.ByteString;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptRecordDeserializer;
import io.distillery.proto.v1.PromptEvent;

/**
 * The {@code input} field of a prompt record as it came from Kafka, so the teacher request can
 * carry those bytes instead of protobuf writing every float of the input again.
 */
final class EncodedInput {

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
      ByteString slice = PromptRecordDeserializer.inputField(ok.raw());
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
}
