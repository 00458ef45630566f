package io.distillery.labeler.deadletter;

import io.distillery.proto.v1.SourceRecord;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;

/**
 * A prompt record on its way to the dead-letter topic: the original key and bytes, and why.
 *
 * @param key the original record key (may be null)
 * @param value the original record value, unchanged
 * @param reason low-cardinality reason
 * @param message what was wrong, for people: which field, which value, what was expected
 * @param exceptionClass the exception that made the decision, or empty when there was none
 * @param source where the record was read
 * @param originalHeaders the prompt record's own headers, carried over to the dead letter
 */
public record DeadLetter(
    String key,
    byte[] value,
    DeadLetterReason reason,
    String message,
    String exceptionClass,
    SourceRecord source,
    List<Header> originalHeaders) {

  public DeadLetter {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(exceptionClass, "exceptionClass");
    Objects.requireNonNull(source, "source");
    originalHeaders = List.copyOf(originalHeaders);
  }

  /** A dead letter of a record that had no headers. */
  public DeadLetter(
      String key,
      byte[] value,
      DeadLetterReason reason,
      String message,
      String exceptionClass,
      SourceRecord source) {
    this(key, value, reason, message, exceptionClass, source, List.of());
  }
}
