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

  /** Reason of an answer the caller cannot use for what it asked (e.g. a partial distribution). */
  public static final String UNUSABLE_ANSWER = "unusable-answer";

  /**
   * A well-formed answer that the caller's own checks find unusable for its purpose; asking again
   * would give the same answer.
   */
  public static TeacherRejectedException unusable(String rpc, String message) {
    return new TeacherRejectedException(rpc, UNUSABLE_ANSWER, null, message, null);
  }

  @Override
  public Outcome outcome() {
    return Outcome.REJECTED;
  }
}
