package io.distillery.teacher.access;

import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;

/**
 * The outcome of one access check.
 *
 * @param client the client id, {@code anonymous} without a valid token
 * @param code {@code OK} when allowed, else the gRPC status the call is refused with
 * @param reason why, in a word ({@code allowed}, {@code open}, {@code no-credentials}, {@code
 *     bad-token}, {@code role}, {@code top-k}, {@code quota}, {@code burst})
 * @param message the refusal's description for the caller
 * @param retryAfter when a refused caller may try again, for quota refusals
 */
public record Decision(
    String client, Status.Code code, String reason, String message, Optional<Duration> retryAfter) {

  /** Reasons, for metrics registered at zero. */
  public static final java.util.List<String> REASONS =
      java.util.List.of(
          "allowed", "open", "no-credentials", "bad-token", "role", "top-k", "quota", "burst");

  static Decision allow(String client, String reason) {
    return new Decision(client, Status.Code.OK, reason, "", Optional.empty());
  }

  static Decision refuse(String client, Status.Code code, String reason, String message) {
    return new Decision(client, code, reason, message, Optional.empty());
  }

  static Decision exhausted(String client, String reason, String message, Duration retryAfter) {
    return new Decision(
        client, Status.Code.RESOURCE_EXHAUSTED, reason, message, Optional.of(retryAfter));
  }

  /** Whether the call may proceed. */
  public boolean allowed() {
    return code == Status.Code.OK;
  }

  /** The metric tag of the decision: {@code allowed} or the status code in kebab case. */
  public String outcome() {
    return allowed() ? "allowed" : code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
