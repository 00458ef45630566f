package io.distillery.teacherclient.outcome;

import io.grpc.Status;

/**
 * The teacher could not answer now: unreachable, too slow, crashed, restarting, circuit open, or it
 * answered something malformed (a wrong number of samples or positions). Keep the input and ask
 * again later.
 */
public sealed class TeacherUnavailableException extends TeacherCallException
    permits TeacherOverloadedException {

  public TeacherUnavailableException(
      String rpc, String reason, Status status, String message, Throwable cause) {
    super(rpc, reason, status, message, cause);
  }

  /** A malformed answer to a call: no gRPC error, but nothing usable. */
  public static TeacherUnavailableException malformed(String rpc, String message) {
    return new TeacherUnavailableException(rpc, MALFORMED_ANSWER, null, message, null);
  }

  @Override
  public Outcome outcome() {
    return Outcome.UNAVAILABLE;
  }
}
