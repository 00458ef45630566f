package io.distillery.labeler.deadletter;

import io.distillery.proto.kafka.DecodeFailure;

/**
 * Why a prompt went to the dead-letter topic. The tag is the value of the {@code
 * distillery.dlq.reason} header and of the {@code reason} tag of {@code
 * distillery_labeler_dlq_records_total}.
 */
public enum DeadLetterReason {
  /** The record has no value. */
  EMPTY_RECORD("empty"),
  /** The bytes are not a protobuf {@code PromptEvent}. */
  MALFORMED_PROTOBUF("malformed-protobuf"),
  /** The protobuf encoding ends in the middle of a field. */
  TRUNCATED_PROTOBUF("truncated-protobuf"),
  /** The value looks like JSON but is not protobuf JSON of a {@code PromptEvent}. */
  INVALID_JSON("invalid-json"),
  /** An enum field holds a number this schema does not know. */
  UNKNOWN_ENUM_VALUE("unknown-enum-value"),
  /**
   * The record value is larger than {@code distillery.labeler.max-prompt-bytes}, or a token
   * sequence is longer than the teacher accepts.
   */
  OVERSIZED_INPUT("oversized-input"),
  /** The prompt has no id. */
  MISSING_ID("missing-id"),
  /** The prompt has no input, or an input without values or tokens. */
  EMPTY_INPUT("empty-input"),
  /** A tensor for a token teacher, or tokens for a tensor teacher. */
  INPUT_KIND_MISMATCH("input-kind-mismatch"),
  /** The tensor's value count is not the product of the teacher's input shape. */
  TENSOR_SIZE_MISMATCH("tensor-size-mismatch"),
  /** The tensor declares a shape other than the teacher's input shape. */
  SHAPE_MISMATCH("shape-mismatch"),
  /** A tensor value is NaN or infinite. */
  NON_FINITE_VALUE("non-finite-value"),
  /** A token id outside the teacher's vocabulary. */
  TOKEN_OUT_OF_RANGE("token-out-of-range"),
  /** A ground-truth label outside the teacher's classes. */
  INVALID_LABEL("invalid-label"),
  /** A text prompt whose text is empty (or has no tokens). */
  EMPTY_TEXT("empty-text"),
  /** A JSON record (or a protobuf text field) that is not valid UTF-8, decoded strictly. */
  INVALID_UTF8("invalid-utf8"),
  /** A text longer than {@code distillery.labeler.text.max-bytes} UTF-8 bytes. */
  OVERSIZED_TEXT("oversized-text"),
  /** A text prompt while no tokenizer is configured ({@code distillery.labeler.text.tokenizer}). */
  NO_TOKENIZER("no-tokenizer"),
  /** The teacher refused this prompt alone (gRPC INVALID_ARGUMENT). */
  TEACHER_REJECTED("teacher-rejected"),
  /** The teacher's answer for this prompt cannot be encoded as a soft label. */
  INVALID_TEACHER_OUTPUT("invalid-teacher-output");

  private final String tag;

  DeadLetterReason(String tag) {
    this.tag = tag;
  }

  /** The kebab-case form used in headers and metric tags. */
  public String tag() {
    return tag;
  }

  /** The reason for a record the deserializer could not decode. */
  public static DeadLetterReason of(DecodeFailure.Reason reason) {
    return switch (reason) {
      case EMPTY -> EMPTY_RECORD;
      case MALFORMED_PROTOBUF -> MALFORMED_PROTOBUF;
      case TRUNCATED_PROTOBUF -> TRUNCATED_PROTOBUF;
      case INVALID_JSON -> INVALID_JSON;
      case UNKNOWN_ENUM_VALUE -> UNKNOWN_ENUM_VALUE;
    };
  }
}
