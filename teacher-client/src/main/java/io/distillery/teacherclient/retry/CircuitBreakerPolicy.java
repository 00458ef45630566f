package io.distillery.teacherclient.retry;

import java.time.Duration;

/**
 * A circuit breaker: once {@code failureRatio} of the last {@code requestVolumeThreshold} calls
 * failed with an outage, calls fail at once (without reaching the teacher) for {@code delay}, then
 * one trial call decides.
 */
public record CircuitBreakerPolicy(
    int requestVolumeThreshold, double failureRatio, Duration delay) {

  /** Validates, naming the field. */
  public CircuitBreakerPolicy {
    if (requestVolumeThreshold < 1) {
      throw new IllegalArgumentException(
          "circuit breaker request volume threshold must be >= 1, got " + requestVolumeThreshold);
    }
    if (!(failureRatio >= 0 && failureRatio <= 1)) {
      throw new IllegalArgumentException(
          "circuit breaker failure ratio must be in [0, 1], got " + failureRatio);
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("circuit breaker delay must be >= 0, got " + delay);
    }
  }
}
