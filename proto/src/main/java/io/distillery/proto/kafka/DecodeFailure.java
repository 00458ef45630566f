package io.distillery.proto.kafka;

/**
 * Why a Kafka record value could not be decoded into an event.
 *
 * @param reason low-cardinality reason, usable as a metric tag and a dead-letter header
 * @param message what was wrong, for people: which message type, which field or byte
 * @param exceptionClass the class of the underlying exception, or empty when there was none
 */
public record DecodeFailure(Reason reason, String message, String exceptionClass) {

  /** The kinds of undecodable input. */
  public enum Reason {
    /** The record had no value (null or zero bytes). */
    EMPTY("empty"),
    /** The bytes are not a protobuf encoding of the expected message. */
    MALFORMED_PROTOBUF("malformed-protobuf"),
    /** The protobuf encoding ends in the middle of a field. */
    TRUNCATED_PROTOBUF("truncated-protobuf"),
    /** The value looks like JSON but is not valid protobuf JSON for the expected message. */
    INVALID_JSON("invalid-json"),
    /** An enum field holds a number this version of the schema does not know. */
    UNKNOWN_ENUM_VALUE("unknown-enum-value");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }

    /** The kebab-case form used in metric tags and dead-letter headers. */
    public String tag() {
      return tag;
    }
  }
}
