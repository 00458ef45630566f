package io.distillery.teacher.grpc;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.Teacher;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.access.AccessGuard;
import io.distillery.teacher.access.AccessRefusedException;
import io.distillery.teacher.access.AccessRequest;
import io.distillery.teacher.access.Decision;
import io.distillery.teacher.batching.BatcherClosedException;
import io.distillery.teacher.batching.DeadlineExpiredException;
import io.distillery.teacher.batching.DeadlineUnreachableException;
import io.distillery.teacher.batching.QueueFullException;
import io.distillery.teacher.labeling.InvalidRequestException;
import io.distillery.teacher.labeling.LabelService;
import io.distillery.teacher.labeling.TeacherUnavailableException;
import io.distillery.teacher.metrics.TeacherMetrics;
import io.distillery.teacher.watermark.Watermarking;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The {@code distillery.v1.Teacher} gRPC API; maps domain failures to gRPC status codes. */
@GrpcService
public class TeacherGrpcService implements Teacher {

  private static final Logger LOG = Logger.getLogger(TeacherGrpcService.class);

  private final LabelService labels;
  private final TeacherMetrics metrics;
  private final AccessGuard access;
  private final Watermarking watermarks;

  public TeacherGrpcService(
      LabelService labels, TeacherMetrics metrics, AccessGuard access, Watermarking watermarks) {
    this.labels = labels;
    this.metrics = metrics;
    this.access = access;
    this.watermarks = watermarks;
  }

  @Override
  public Uni<TeacherCard> describe(DescribeRequest request) {
    return access
        .admit(AccessRequest.describe())
        .map(admitted -> labels.describe())
        .onFailure()
        .transform(e -> toStatus("describe", e))
        .invoke(card -> metrics.request("describe", "ok"));
  }

  @Override
  public Uni<LabelResponse> label(LabelRequest request) {
    return label("label", request);
  }

  /** Responses come back in request order; each stream labels one request at a time. */
  @Override
  public Multi<LabelResponse> labelStream(Multi<LabelRequest> requests) {
    return requests
        .onItem()
        .transformToUniAndConcatenate(request -> label("label-stream", request));
  }

  private Uni<LabelResponse> label(String rpc, LabelRequest request) {
    // Read on the calling thread, where gRPC keeps the call's context and Vert.x its own.
    Optional<Duration> timeLeft = timeLeft();
    io.vertx.core.Context callContext = Vertx.currentContext();
    AccessRequest accessRequest = AccessRequest.label(rpc, request);
    Optional<Decision> open = access.admitWhenOpen(accessRequest);
    if (open.isPresent()) {
      return answer(rpc, request, timeLeft, open.get(), callContext);
    }
    return access
        .admit(accessRequest)
        .onFailure()
        .transform(e -> toStatus(rpc, e))
        .chain(admitted -> answer(rpc, request, timeLeft, admitted, callContext));
  }

  /**
   * Labels an admitted request. The answer is handed back on the call's own event loop: the batcher
   * thread that completes a forward pass only completes futures, and goes on to the next batch
   * while the event loops count, serialise and write the responses (and a write from the event loop
   * itself needs no wake-up of it).
   */
  private Uni<LabelResponse> answer(
      String rpc,
      LabelRequest request,
      Optional<Duration> timeLeft,
      Decision admitted,
      io.vertx.core.Context callContext) {
    CompletableFuture<LabelResponse> labelled;
    try {
      labelled = labels.label(request, timeLeft, watermarks.forClient(admitted.client()));
    } catch (RuntimeException e) {
      return Uni.createFrom().failure(toStatus(rpc, e));
    }
    CompletableFuture<LabelResponse> answered = new CompletableFuture<>();
    labelled.whenComplete(
        (response, failure) ->
            onCallContext(
                callContext,
                () -> {
                  if (failure == null) {
                    metrics.request(rpc, "ok");
                    metrics.labelled(response.getSamplesCount());
                    answered.complete(response);
                  } else {
                    answered.completeExceptionally(toStatus(rpc, failure));
                  }
                }));
    return Uni.createFrom().completionStage(answered);
  }

  private static void onCallContext(io.vertx.core.Context callContext, Runnable action) {
    if (callContext == null || Vertx.currentContext() == callContext) {
      action.run();
    } else {
      callContext.runOnContext(ignored -> action.run());
    }
  }

  /** What remains of the caller's deadline, if it set one. */
  private static Optional<Duration> timeLeft() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS))));
  }

  private StatusRuntimeException toStatus(String rpc, Throwable failure) {
    Throwable e =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (e instanceof AccessRefusedException refused) {
      metrics.request(rpc, "refused");
      return refused.toStatus();
    }
    if (e instanceof InvalidRequestException invalid) {
      metrics.request(rpc, "invalid");
      metrics.rejection(invalid.reason());
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof QueueFullException) {
      metrics.request(rpc, "rejected");
      metrics.rejection("queue-full");
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof DeadlineUnreachableException) {
      metrics.request(rpc, "rejected");
      metrics.rejection("deadline");
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof DeadlineExpiredException) {
      metrics.request(rpc, "expired");
      return Status.DEADLINE_EXCEEDED.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof TeacherUnavailableException || e instanceof BatcherClosedException) {
      metrics.request(rpc, "unavailable");
      return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof StatusRuntimeException status) {
      metrics.request(rpc, "error");
      return status;
    }
    metrics.request(rpc, "error");
    LOG.errorf(e, "%s failed", rpc);
    return Status.INTERNAL
        .withDescription(rpc + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage())
        .withCause(e)
        .asRuntimeException();
  }
}
