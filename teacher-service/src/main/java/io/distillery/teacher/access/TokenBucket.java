package io.distillery.teacher.access;

import java.time.Duration;

/**
 * A token bucket of samples: {@code capacity} at most, refilled at {@code perMinute}. Thread-safe.
 */
final class TokenBucket {

  private static final double NANOS_PER_MINUTE = 60e9;

  private final double capacity;
  private final double perNano;
  private double tokens;
  private long lastRefill;

  TokenBucket(long perMinute, long capacity, long nowNanos) {
    if (perMinute <= 0 || capacity <= 0) {
      throw new IllegalArgumentException(
          "a quota needs a positive rate and burst, got " + perMinute + "/min and " + capacity);
    }
    this.capacity = capacity;
    this.perNano = perMinute / NANOS_PER_MINUTE;
    this.tokens = capacity;
    this.lastRefill = nowNanos;
  }

  long capacity() {
    return (long) capacity;
  }

  /**
   * Takes {@code n} samples if the bucket holds them.
   *
   * @return {@link Duration#ZERO} when taken, else how long until {@code n} would be available
   */
  synchronized Duration tryTake(long n, long nowNanos) {
    tokens = Math.min(capacity, tokens + Math.max(0, nowNanos - lastRefill) * perNano);
    lastRefill = nowNanos;
    if (tokens >= n) {
      tokens -= n;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((n - tokens) / perNano));
  }
}
