package io.distillery.teacherclient;

import io.distillery.teacherclient.retry.RetryPolicy;
import java.time.Duration;

/**
 * How a service calls the teacher.
 *
 * @param requestIdPrefix start of every request id, e.g. {@code labeler-}, so the teacher's logs
 *     show who asked
 * @param describeDeadline deadline of one Describe attempt
 * @param labelDeadline deadline of one Label attempt (one part of a split call)
 * @param describeRetry retries of Describe
 * @param labelRetry retries of each Label request
 */
public record ClientSettings(
    String requestIdPrefix,
    Duration describeDeadline,
    Duration labelDeadline,
    RetryPolicy describeRetry,
    RetryPolicy labelRetry) {

  /** Validates, naming the field. */
  public ClientSettings {
    requirePositive(describeDeadline, "describe deadline");
    requirePositive(labelDeadline, "label deadline");
  }

  private static void requirePositive(Duration value, String name) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }
}
