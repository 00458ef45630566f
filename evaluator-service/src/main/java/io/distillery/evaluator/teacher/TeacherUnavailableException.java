package io.distillery.evaluator.teacher;

/** The teacher cannot answer now (unreachable, overloaded, timed out); trying later may help. */
public class TeacherUnavailableException extends RuntimeException {

  public TeacherUnavailableException(String message) {
    super(message);
  }

  public TeacherUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
