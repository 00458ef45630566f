package io.distillery.teacherclient.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * How often and how patiently a teacher call is tried again: exponential backoff from {@code
 * initialDelay}, doubling up to {@code maxDelay}, each wait varied by ±{@value #JITTER_DIVISOR}th
 * of the initial delay so that many clients do not retry in step.
 *
 * @param maxRetries retries after the first attempt; {@link #UNTIL_GIVEN_UP} retries until the
 *     caller gives up (its job stops, the service shuts down)
 * @param initialDelay wait before the first retry (&gt; 0)
 * @param maxDelay longest wait; equal to {@code initialDelay} for a constant wait
 * @param circuitBreaker an optional circuit breaker inside the retries
 */
public record RetryPolicy(
    int maxRetries,
    Duration initialDelay,
    Duration maxDelay,
    Optional<CircuitBreakerPolicy> circuitBreaker) {

  /** {@link #maxRetries()} of a call retried until its caller gives up. */
  public static final int UNTIL_GIVEN_UP = -1;

  /** Jitter is the initial delay divided by this. */
  public static final int JITTER_DIVISOR = 4;

  /** Validates, naming the field. */
  public RetryPolicy {
    if (maxRetries < UNTIL_GIVEN_UP) {
      throw new IllegalArgumentException(
          "max retries must be >= 0, or -1 for until given up; got " + maxRetries);
    }
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initial delay must be > 0, got " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "max delay " + maxDelay + " must be >= initial delay " + initialDelay);
    }
  }

  /** A fixed number of quick retries. */
  public static RetryPolicy retries(int maxRetries, Duration initialDelay, Duration maxDelay) {
    return new RetryPolicy(maxRetries, initialDelay, maxDelay, Optional.empty());
  }

  /** Retries until the caller gives up: outages are waited out. */
  public static RetryPolicy untilGivenUp(Duration initialDelay, Duration maxDelay) {
    return new RetryPolicy(UNTIL_GIVEN_UP, initialDelay, maxDelay, Optional.empty());
  }

  /** This policy with a circuit breaker. */
  public RetryPolicy withCircuitBreaker(CircuitBreakerPolicy breaker) {
    return new RetryPolicy(maxRetries, initialDelay, maxDelay, Optional.of(breaker));
  }

  /** Whether only the caller ends the retries. */
  public boolean untilGivenUp() {
    return maxRetries == UNTIL_GIVEN_UP;
  }
}
