package io.distillery.teacher.labeling;

/** A Label request that breaks the contract; the message names the field and what was expected. */
public final class InvalidRequestException extends RuntimeException {

  private final String reason;

  /**
   * @param reason low-cardinality reason for metrics, e.g. {@code top-k}
   * @param message the field, the value and what was expected
   */
  public InvalidRequestException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Low-cardinality reason for metrics. */
  public String reason() {
    return reason;
  }
}
