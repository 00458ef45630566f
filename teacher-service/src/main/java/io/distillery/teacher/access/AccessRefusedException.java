package io.distillery.teacher.access;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A call refused by access control; carries its gRPC status and, for quotas, when to retry. */
public class AccessRefusedException extends RuntimeException {

  /** Trailer with the milliseconds a refused caller should wait before retrying. */
  public static final Metadata.Key<String> RETRY_AFTER_MS =
      Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final Decision decision;

  public AccessRefusedException(Decision decision) {
    super(decision.message(), null, false, false);
    this.decision = decision;
  }

  public Decision decision() {
    return decision;
  }

  /**
   * The status the caller sees; quota refusals say when to retry in the description and trailer.
   */
  public StatusRuntimeException toStatus() {
    Metadata trailers = new Metadata();
    decision
        .retryAfter()
        .ifPresent(wait -> trailers.put(RETRY_AFTER_MS, Long.toString(wait.toMillis())));
    return Status.fromCode(decision.code())
        .withDescription(decision.message())
        .asRuntimeException(trailers);
  }
}
