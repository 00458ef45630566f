package io.distillery.teacherclient.outcome;

import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A teacher call that did not give a usable answer. Carries the call ({@code Describe}, {@code
 * Label}), the {@link Outcome}, a low-cardinality reason (the gRPC status in kebab case, e.g.
 * {@code invalid-argument}, or {@code malformed-answer}, {@code circuit-open}) and, when the
 * teacher answered with one, the gRPC status itself.
 */
public abstract sealed class TeacherCallException extends RuntimeException
    permits TeacherRejectedException, TeacherUnavailableException, TeacherDeniedException {

  /** Reason of a well-formed gRPC answer that fails the client's checks. */
  public static final String MALFORMED_ANSWER = "malformed-answer";

  /** Reason of a call not sent because the circuit breaker is open. */
  public static final String CIRCUIT_OPEN = "circuit-open";

  /**
   * Trailer in which a teacher says how many milliseconds a refused caller should wait (quota
   * refusals of teacher-service's access control).
   */
  public static final Metadata.Key<String> RETRY_AFTER_MS =
      Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final String rpc;
  private final String reason;
  private final transient Status status;
  private final Duration retryAfter;

  protected TeacherCallException(
      String rpc, String reason, Status status, String message, Throwable cause) {
    super(message, cause);
    this.rpc = rpc;
    this.reason = reason;
    this.status = status;
    this.retryAfter = cause == null ? null : retryAfterOf(cause);
  }

  /** The teacher's {@code retry-after-ms} trailer, if it sent a usable one. */
  private static Duration retryAfterOf(Throwable cause) {
    Metadata trailers = Status.trailersFromThrowable(cause);
    String millis = trailers == null ? null : trailers.get(RETRY_AFTER_MS);
    if (millis == null) {
      return null;
    }
    try {
      long value = Long.parseLong(millis.trim());
      return value > 0 ? Duration.ofMillis(value) : null;
    } catch (NumberFormatException e) {
      // A hint we cannot read is no hint: the client's own backoff applies.
      return null;
    }
  }

  /** Maps a failure of a call to the exception of its outcome: the one status table in use. */
  public static TeacherCallException from(String rpc, Throwable failure) {
    if (failure instanceof TeacherCallException known) {
      return known;
    }
    Status status = Status.fromThrowable(failure);
    String reason = reason(status.getCode());
    String message =
        "teacher "
            + rpc
            + " failed: "
            + status.getCode()
            + (status.getDescription() == null ? "" : ": " + status.getDescription());
    return switch (Outcome.of(status.getCode())) {
      case REJECTED -> new TeacherRejectedException(rpc, reason, status, message, failure);
      case DENIED -> new TeacherDeniedException(rpc, reason, status, message, failure);
      case OVERLOADED -> new TeacherOverloadedException(rpc, reason, status, message, failure);
      case UNAVAILABLE, OK ->
          new TeacherUnavailableException(rpc, reason, status, message, failure);
    };
  }

  /** The kebab-case name of a status code, e.g. {@code deadline-exceeded}. */
  public static String reason(Status.Code code) {
    return code.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** What the caller may do next. */
  public abstract Outcome outcome();

  /** The call: {@code Describe} or {@code Label}. */
  public String rpc() {
    return rpc;
  }

  /** Low-cardinality reason, fit for a metric tag. */
  public String reason() {
    return reason;
  }

  /** How long the teacher asked the caller to wait before trying again, if it said so. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The gRPC status the teacher (or the channel) answered with, if the failure was one. */
  public Optional<Status> status() {
    return Optional.ofNullable(status);
  }
}
