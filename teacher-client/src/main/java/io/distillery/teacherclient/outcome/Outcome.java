package io.distillery.teacherclient.outcome;

import io.grpc.Status;
import java.util.Locale;

/**
 * How a teacher call ended, and so what a caller may do next. The one table from gRPC status to
 * outcome is {@link #of(Status.Code)}; every service reads it from here.
 */
public enum Outcome {
  /** The teacher answered and the answer passed the checks. */
  OK(false),
  /** The input is bad for this teacher; asking again with the same input cannot help. */
  REJECTED(false),
  /** The teacher is busy (its queue is full); ask again after a backoff. */
  OVERLOADED(true),
  /** The teacher could not answer now, or answered something malformed; ask again later. */
  UNAVAILABLE(true),
  /** The caller may not ask (authentication, permission); retrying cannot help. */
  DENIED(false);

  private final boolean retryable;

  Outcome(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether asking again (after a backoff) may succeed. */
  public boolean retryable() {
    return retryable;
  }

  /** Low-cardinality metric tag: {@code ok}, {@code rejected}, … */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The outcome of a call that failed with {@code code}. Statuses that say the request itself is
   * wrong are rejections; RESOURCE_EXHAUSTED is the teacher's bounded queue saying "later"; missing
   * credentials or rights are denials; everything else (network, deadline, crash, cancellation,
   * codes added to gRPC later) is treated as a passing outage.
   */
  public static Outcome of(Status.Code code) {
    return switch (code) {
      case OK -> OK;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED -> REJECTED;
      case RESOURCE_EXHAUSTED -> OVERLOADED;
      case UNAUTHENTICATED, PERMISSION_DENIED -> DENIED;
      case UNAVAILABLE,
          DEADLINE_EXCEEDED,
          ABORTED,
          CANCELLED,
          UNKNOWN,
          INTERNAL,
          DATA_LOSS,
          NOT_FOUND,
          ALREADY_EXISTS ->
          UNAVAILABLE;
    };
  }
}
