package io.distillery.models.checkpoint;

/** A checkpoint directory is missing, incomplete, tampered with or unreadable. */
public final class CheckpointException extends Exception {

  private final String reason;

  /**
   * @param reason low-cardinality reason for metrics and events, e.g. {@code digest-mismatch}
   * @param message what is wrong, naming the directory and file
   */
  public CheckpointException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public CheckpointException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Low-cardinality reason: missing-manifest, bad-manifest, missing-file, digest-mismatch, io. */
  public String reason() {
    return reason;
  }
}
