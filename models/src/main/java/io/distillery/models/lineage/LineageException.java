package io.distillery.models.lineage;

/** A lineage cannot be traced at all (no such checkpoint, topic or job). */
public final class LineageException extends RuntimeException {

  public LineageException(String message) {
    super(message);
  }

  public LineageException(String message, Throwable cause) {
    super(message, cause);
  }
}
