package io.distillery.teacherclient.outcome;

import io.grpc.Status;

/**
 * The teacher refused the input (INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE,
 * UNIMPLEMENTED); the message is the teacher's and names the offending field. Retrying the same
 * input cannot help.
 */
public final class TeacherRejectedException extends TeacherCallException {

  public TeacherRejectedException(
      String rpc, String reason, Status status, String message, Throwable cause) {
    super(rpc, reason, status, message, cause);
  }

  @Override
  public Outcome outcome() {
    return Outcome.REJECTED;
  }
}
