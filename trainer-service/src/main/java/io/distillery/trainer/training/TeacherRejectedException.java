package io.distillery.trainer.training;

/** The teacher refused to label a batch (its input is invalid for it); retrying cannot help. */
public final class TeacherRejectedException extends RuntimeException {

  public TeacherRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
