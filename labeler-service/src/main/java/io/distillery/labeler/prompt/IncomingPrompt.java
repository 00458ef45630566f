package io.distillery.labeler.prompt;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PackedFloats;
import io.distillery.proto.kafka.PromptRecord;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SourceRecord;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;

/**
 * One record read from the prompt topic, decoded or not.
 *
 * @param key the record key (may be null)
 * @param decoded the decoded prompt or why it could not be decoded, with the original bytes
 * @param tensorValues the tensor's values when they were left in the record's bytes (the decoded
 *     event's tensor then has none), else null; see {@link PromptRecord}
 * @param source where the record was read
 * @param headers the record's headers, kept for a dead letter
 */
public record IncomingPrompt(
    String key,
    Decoded<PromptEvent> decoded,
    PackedFloats tensorValues,
    SourceRecord source,
    List<Header> headers) {

  public IncomingPrompt {
    Objects.requireNonNull(decoded, "decoded");
    Objects.requireNonNull(source, "source");
    headers = List.copyOf(headers);
  }

  /** A record as the prompt channel read it. */
  public IncomingPrompt(
      String key, PromptRecord record, SourceRecord source, List<Header> headers) {
    this(key, record.decoded(), record.tensorValues(), source, headers);
  }

  /** A record decoded in full. */
  public IncomingPrompt(
      String key, Decoded<PromptEvent> decoded, SourceRecord source, List<Header> headers) {
    this(key, decoded, null, source, headers);
  }

  /** A record decoded in full, without headers. */
  public IncomingPrompt(String key, Decoded<PromptEvent> decoded, SourceRecord source) {
    this(key, decoded, null, source, List.of());
  }
}
