package io.distillery.teacherclient.outcome;

import io.grpc.Status;

/**
 * The teacher refused the caller (UNAUTHENTICATED, PERMISSION_DENIED). Retrying cannot help until
 * an operator fixes the credentials.
 */
public final class TeacherDeniedException extends TeacherCallException {

  public TeacherDeniedException(
      String rpc, String reason, Status status, String message, Throwable cause) {
    super(rpc, reason, status, message, cause);
  }

  @Override
  public Outcome outcome() {
    return Outcome.DENIED;
  }
}
