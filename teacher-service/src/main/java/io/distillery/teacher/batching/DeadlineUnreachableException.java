package io.distillery.teacher.batching;

import java.time.Duration;

/**
 * The samples already queued are expected to take longer than the caller is willing to wait: the
 * request is refused at once rather than answered after its caller has given up.
 */
public final class DeadlineUnreachableException extends RuntimeException {

  public DeadlineUnreachableException(
      int requested, int queued, Duration expectedWait, Duration timeLeft) {
    super(
        "teacher is overloaded: "
            + requested
            + " samples behind "
            + queued
            + " queued would be answered in about "
            + expectedWait.toMillis()
            + " ms, more than half of the caller's "
            + timeLeft.toMillis()
            + " ms left before its deadline; retry with backoff");
  }
}
