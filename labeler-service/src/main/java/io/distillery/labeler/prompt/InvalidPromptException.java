package io.distillery.labeler.prompt;

import io.distillery.labeler.deadletter.DeadLetterReason;

/**
 * A prompt the labeler cannot label; its message names the field, the value and the expectation.
 */
public class InvalidPromptException extends RuntimeException {

  private final DeadLetterReason reason;
  private final String exceptionClass;

  /** A prompt rejected by validation. */
  public InvalidPromptException(DeadLetterReason reason, String message) {
    this(reason, message, InvalidPromptException.class.getName());
  }

  /**
   * A prompt rejected because of an earlier failure, e.g. in the deserializer.
   *
   * @param exceptionClass the class of the exception behind it, or empty when there was none
   */
  public InvalidPromptException(DeadLetterReason reason, String message, String exceptionClass) {
    super(message);
    this.reason = reason;
    this.exceptionClass = exceptionClass;
  }

  /** Why, as a low-cardinality reason. */
  public DeadLetterReason reason() {
    return reason;
  }

  /** The class of the exception behind the rejection, or empty when there was none. */
  public String exceptionClass() {
    return exceptionClass;
  }
}
