package io.distillery.teacherclient.metrics;

import io.distillery.teacherclient.outcome.Outcome;
import java.time.Duration;

/**
 * One attempt of a teacher call, as the client saw it: the facts behind every teacher metric.
 *
 * @param rpc {@link #DESCRIBE} or {@link #LABEL}
 * @param outcome what the attempt ended with
 * @param reason {@code ok}, or the failure's low-cardinality reason: the gRPC status in kebab case
 *     ({@code unavailable}, {@code invalid-argument}, …) or {@code malformed-answer}
 * @param duration from sending to the answer or failure
 * @param samples samples in the request (0 for Describe)
 */
public record CallRecord(
    String rpc, Outcome outcome, String reason, Duration duration, int samples) {

  /** The Describe call. */
  public static final String DESCRIBE = "Describe";

  /** The Label call. */
  public static final String LABEL = "Label";

  /** Reason of a successful attempt. */
  public static final String OK = "ok";

  /** Whether the teacher answered usefully. */
  public boolean ok() {
    return outcome == Outcome.OK;
  }

  /** Whether the attempt failed for an outage (unavailable or overloaded). */
  public boolean outage() {
    return outcome == Outcome.UNAVAILABLE || outcome == Outcome.OVERLOADED;
  }
}
