package io.distillery.teacher.labeling;

/** No teacher model is serving; the message says why. */
public final class TeacherUnavailableException extends RuntimeException {

  public TeacherUnavailableException(String reason) {
    super("teacher not ready: " + reason);
  }
}
