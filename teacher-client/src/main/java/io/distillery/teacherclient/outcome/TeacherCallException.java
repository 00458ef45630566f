package io.distillery.teacherclient.outcome;

import io.grpc.Status;
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

  private final String rpc;
  private final String reason;
  private final transient Status status;

  protected TeacherCallException(
      String rpc, String reason, Status status, String message, Throwable cause) {
    super(message, cause);
    this.rpc = rpc;
    this.reason = reason;
    this.status = status;
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

  /** The gRPC status the teacher (or the channel) answered with, if the failure was one. */
  public Optional<Status> status() {
    return Optional.ofNullable(status);
  }
}
