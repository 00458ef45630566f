package io.distillery.evaluator.teacher;

/** The teacher refused the request or answered something unusable; asking again will not help. */
public class TeacherRejectedException extends RuntimeException {

  public TeacherRejectedException(String message) {
    super(message);
  }

  public TeacherRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
