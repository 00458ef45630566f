package io.distillery.teacher.model;

/** The configured teacher cannot be loaded; the message says what to change. */
public final class TeacherLoadException extends Exception {

  public TeacherLoadException(String message) {
    super(message);
  }

  public TeacherLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
