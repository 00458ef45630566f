package io.distillery.teacherclient.outcome;

import io.grpc.Status;

/**
 * The teacher's queue is full (RESOURCE_EXHAUSTED): an answer, not a crash. Ask again after a
 * backoff; callers that only distinguish "now" from "later" treat it as unavailable.
 */
public final class TeacherOverloadedException extends TeacherUnavailableException {

  public TeacherOverloadedException(
      String rpc, String reason, Status status, String message, Throwable cause) {
    super(rpc, reason, status, message, cause);
  }

  @Override
  public Outcome outcome() {
    return Outcome.OVERLOADED;
  }
}
