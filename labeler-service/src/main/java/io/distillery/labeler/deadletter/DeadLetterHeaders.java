package io.distillery.labeler.deadletter;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Names of the headers of a dead-letter record; every value is a UTF-8 string. */
public final class DeadLetterHeaders {

  private static final String PREFIX = "distillery.dlq.";

  /** Low-cardinality reason, a {@link DeadLetterReason#tag()}. */
  public static final String REASON = "distillery.dlq.reason";

  /** What was wrong, for people. */
  public static final String MESSAGE = "distillery.dlq.message";

  /** Fully qualified class of the exception behind the decision; absent when there was none. */
  public static final String EXCEPTION_CLASS = "distillery.dlq.exception-class";

  /** Topic the prompt was read from. */
  public static final String SOURCE_TOPIC = "distillery.dlq.source-topic";

  /** Partition the prompt was read from, in decimal. */
  public static final String SOURCE_PARTITION = "distillery.dlq.source-partition";

  /** Offset of the prompt, in decimal. */
  public static final String SOURCE_OFFSET = "distillery.dlq.source-offset";

  private DeadLetterHeaders() {}

  /**
   * The headers of {@code letter}: the prompt's own headers (minus any earlier {@code
   * distillery.dlq.*} ones, for a record sent back from the dead-letter topic), then the reason and
   * the origin.
   */
  public static Headers of(DeadLetter letter) {
    RecordHeaders headers = new RecordHeaders();
    for (Header original : letter.originalHeaders()) {
      if (!original.key().startsWith(PREFIX)) {
        headers.add(original.key(), original.value());
      }
    }
    add(headers, REASON, letter.reason().tag());
    add(headers, MESSAGE, letter.message());
    if (!letter.exceptionClass().isEmpty()) {
      add(headers, EXCEPTION_CLASS, letter.exceptionClass());
    }
    add(headers, SOURCE_TOPIC, letter.source().getTopic());
    add(headers, SOURCE_PARTITION, Integer.toString(letter.source().getPartition()));
    add(headers, SOURCE_OFFSET, Long.toString(letter.source().getOffset()));
    return headers;
  }

  private static void add(RecordHeaders headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
