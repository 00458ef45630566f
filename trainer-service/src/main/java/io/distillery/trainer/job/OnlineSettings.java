package io.distillery.trainer.job;

import java.time.Duration;

/**
 * How an online job asks the teacher.
 *
 * @param topK entries per distribution, 0 = all classes
 * @param shiftPixels largest random shift per axis of each view
 * @param mixupAlpha α of the Beta(α, α) mixup weight; 0 turns mixup off
 * @param maxInFlight label requests in flight ahead of training
 * @param deadline deadline of each gRPC call
 * @param initialBackoff first wait after a failed call
 * @param maxBackoff longest wait between attempts
 */
public record OnlineSettings(
    int topK,
    int shiftPixels,
    float mixupAlpha,
    int maxInFlight,
    Duration deadline,
    Duration initialBackoff,
    Duration maxBackoff) {

  /** Validates, naming the setting. */
  public OnlineSettings {
    require(topK >= 0, "online.top-k", topK, ">= 0");
    require(shiftPixels >= 0, "online.shift-pixels", shiftPixels, ">= 0");
    require(mixupAlpha >= 0, "online.mixup-alpha", mixupAlpha, ">= 0");
    require(maxInFlight >= 1, "online.max-in-flight", maxInFlight, ">= 1");
    require(!deadline.isNegative() && !deadline.isZero(), "online.deadline", deadline, "> 0");
    require(
        !initialBackoff.isNegative() && !initialBackoff.isZero(),
        "online.initial-backoff",
        initialBackoff,
        "> 0");
    require(
        maxBackoff.compareTo(initialBackoff) >= 0,
        "online.max-backoff",
        maxBackoff,
        ">= online.initial-backoff " + initialBackoff);
  }

  /** The defaults of {@code TrainerConfig.Online}. */
  public static OnlineSettings defaults() {
    return new OnlineSettings(
        0, 2, 0f, 2, Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(5));
  }

  static void require(boolean ok, String key, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "distillery.trainer." + key + " must be " + expected + ", got " + value);
    }
  }
}
