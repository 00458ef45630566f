package io.distillery.trainer.job;

/**
 * The job's student cannot learn from this teacher (output size, input shape, task or temperature
 * differ): the job stops before its first step. The message names both sides.
 */
public final class IncompatibleJobException extends Exception {

  public IncompatibleJobException(String message) {
    super(message);
  }
}
