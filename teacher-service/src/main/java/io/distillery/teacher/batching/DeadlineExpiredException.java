package io.distillery.teacher.batching;

/** The caller's deadline passed while its sample waited; the sample was dropped, not run. */
public final class DeadlineExpiredException extends RuntimeException {

  public DeadlineExpiredException() {
    super("the caller's deadline passed while the sample waited in the teacher's queue");
  }
}
