package io.distillery.labeler.teacher;

/**
 * The teacher refused the request's input (gRPC {@code INVALID_ARGUMENT}); the message is the
 * teacher's and names the offending field. Retrying the same input cannot help.
 */
public class TeacherRejectedException extends RuntimeException {

  public TeacherRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
