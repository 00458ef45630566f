package io.distillery.labeler.teacher;

/**
 * The teacher could not answer now (unreachable, overloaded, too slow, not ready, circuit open, or
 * a malformed answer). Prompts are kept and the call is tried again later.
 */
public class TeacherUnavailableException extends RuntimeException {

  public TeacherUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public TeacherUnavailableException(String message) {
    super(message);
  }
}
