package io.distillery.labeler.prompt;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SourceRecord;
import java.util.Objects;

/**
 * One record read from the prompt topic, decoded or not.
 *
 * @param key the record key (may be null)
 * @param decoded the decoded prompt or why it could not be decoded, with the original bytes
 * @param source where the record was read
 */
public record IncomingPrompt(String key, Decoded<PromptEvent> decoded, SourceRecord source) {

  public IncomingPrompt {
    Objects.requireNonNull(decoded, "decoded");
    Objects.requireNonNull(source, "source");
  }
}
