package io.distillery.trainer.online;

/** The teacher did not answer usefully (down, overloaded, deadline passed); try again later. */
public final class TeacherUnavailableException extends RuntimeException {

  public TeacherUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
