package io.distillery.teacherclient;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.metrics.CallListener;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.teacherclient.outcome.Outcome;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.distillery.teacherclient.retry.Retrying;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The one client of the teacher ({@code distillery.v1.Teacher}) that labeler, trainer and evaluator
 * share. It builds requests (a call larger than the teacher's {@code limits.max_batch_size} is
 * split and reassembled in order), puts a deadline on every attempt, checks and maps answers to
 * {@link TeacherDescription} and {@link LabelAnswer}, maps failures through the one status table
 * ({@link Outcome#of}), retries each request by its {@link
 * io.distillery.teacherclient.retry.RetryPolicy} and reports every attempt to a {@link
 * CallListener}.
 *
 * <p>Every method returns at once. Failures are {@link TeacherCallException}s (rejected,
 * unavailable or overloaded, denied), or {@link
 * io.distillery.teacherclient.outcome.CallAbandonedException} once the caller gave up.
 *
 * <p>The stub's channel decides which teacher replica answers: configured with round-robin
 * balancing over every address of the teacher's name, consecutive requests (and the parts of one
 * call) go to different replicas, and a retry after a replica died goes to a live one.
 */
public final class TeacherClient {

  private static final BooleanSupplier NEVER = () -> false;

  private final MutinyTeacherStub stub;
  private final ClientSettings settings;
  private final CallListener listener;
  private final Retrying<TeacherCard> describeRetrying;
  private final Retrying<LabelResponse> labelRetrying;
  private final AtomicLong requestIds = new AtomicLong();

  public TeacherClient(MutinyTeacherStub stub, ClientSettings settings, CallListener listener) {
    this.stub = stub;
    this.settings = settings;
    this.listener = listener;
    this.describeRetrying =
        Retrying.with("teacher-describe", settings.describeRetry(), failure -> {});
    this.labelRetrying = Retrying.with("teacher-label", settings.labelRetry(), failure -> {});
  }

  /** The teacher's card; retried by the describe policy. */
  public CompletableFuture<TeacherDescription> describe() {
    return describe(NEVER);
  }

  /** The teacher's card; retried by the describe policy until {@code givenUp} says stop. */
  public CompletableFuture<TeacherDescription> describe(BooleanSupplier givenUp) {
    return describeRetrying
        .run(
            CallRecord.DESCRIBE,
            () -> attempt(CallRecord.DESCRIBE, 0, describeCall(), card -> card),
            givenUp)
        .thenApply(TeacherDescription::new);
  }

  /** Labels {@code call}; each request retried by the label policy. */
  public CompletableFuture<LabelAnswer> label(LabelCall call) {
    return label(call, NEVER);
  }

  /**
   * Labels {@code call}, split into requests of at most {@link LabelCall#maxBatchSize()} samples
   * (each with its own deadline and retries) and reassembled in order.
   *
   * @param givenUp checked before every attempt: once true, the call fails with {@link
   *     io.distillery.teacherclient.outcome.CallAbandonedException}
   */
  public CompletableFuture<LabelAnswer> label(LabelCall call, BooleanSupplier givenUp) {
    List<ModelInput> samples = call.samples();
    int part = call.maxBatchSize() > 0 ? call.maxBatchSize() : samples.size();
    List<CompletableFuture<LabelResponse>> parts = new ArrayList<>();
    for (int from = 0; from < samples.size(); from += part) {
      int to = Math.min(samples.size(), from + part);
      LabelRequest.Builder builder =
          LabelRequest.newBuilder()
              .setRequestId(settings.requestIdPrefix() + requestIds.incrementAndGet())
              .setTopK(call.topK())
              .setTemperature(call.temperature());
      if (call.generates()) {
        builder.setGeneration(call.generation());
      }
      List<ModelInput> partSamples = samples.subList(from, to);
      Function<MutinyTeacherStub, Uni<LabelResponse>> send;
      if (call.encodedSamples() != null) {
        // The samples' bytes as the caller holds them; only the header is serialised here.
        byte[] request =
            EncodedLabelRequest.encode(builder.build(), call.encodedSamples().subList(from, to));
        send = deadlined -> encodedLabelCall(deadlined, request);
      } else {
        send = labelCall(builder.addAllSamples(partSamples).build());
      }
      String requestId = builder.getRequestId();
      int maxNew = call.generates() ? call.generation().getMaxNewTokens() : 0;
      parts.add(
          labelRetrying.run(
              CallRecord.LABEL,
              () ->
                  attempt(
                      CallRecord.LABEL,
                      partSamples.size(),
                      send,
                      response -> {
                        AnswerCheck.check(requestId, partSamples, maxNew, response);
                        return response;
                      }),
              givenUp));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .handle((ignored, failure) -> assemble(parts))
        .thenCompose(Function.identity());
  }

  private Function<MutinyTeacherStub, Uni<TeacherCard>> describeCall() {
    return deadlined -> deadlined.describe(DescribeRequest.getDefaultInstance());
  }

  private Function<MutinyTeacherStub, Uni<LabelResponse>> labelCall(LabelRequest request) {
    return deadlined -> deadlined.label(request);
  }

  /** Label with pre-encoded request bytes, on the stub's channel (interceptors included). */
  private static Uni<LabelResponse> encodedLabelCall(MutinyTeacherStub deadlined, byte[] request) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              ClientCall<byte[], LabelResponse> call =
                  deadlined
                      .getChannel()
                      .newCall(EncodedLabelRequest.LABEL, deadlined.getCallOptions());
              // Cancels the call when the subscriber gives up; a no-op once the call has closed.
              emitter.onTermination(() -> call.cancel("the caller gave up", null));
              ClientCalls.asyncUnaryCall(
                  call,
                  request,
                  new StreamObserver<>() {
                    private LabelResponse response;

                    @Override
                    public void onNext(LabelResponse answer) {
                      response = answer;
                    }

                    @Override
                    public void onError(Throwable failure) {
                      emitter.fail(failure);
                    }

                    @Override
                    public void onCompleted() {
                      // After the trailers: the call is closed, so the cancel above is a no-op.
                      emitter.complete(response);
                    }
                  });
            });
  }

  /**
   * One attempt: the call with its own deadline, the answer checked by {@code check}, the attempt
   * recorded, a failure already mapped to its outcome.
   */
  private <T> CompletionStage<T> attempt(
      String rpc, int samples, Function<MutinyTeacherStub, Uni<T>> call, Function<T, T> check) {
    Duration deadline =
        rpc.equals(CallRecord.DESCRIBE) ? settings.describeDeadline() : settings.labelDeadline();
    CompletableFuture<T> result = new CompletableFuture<>();
    long start = System.nanoTime();
    Uni<T> uni;
    try {
      uni = call.apply(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
    } catch (RuntimeException e) {
      fail(rpc, samples, start, e, result);
      return result;
    }
    uni.subscribe()
        .with(
            answer -> {
              T checked;
              try {
                checked = check.apply(answer);
              } catch (RuntimeException malformed) {
                fail(rpc, samples, start, malformed, result);
                return;
              }
              record(rpc, Outcome.OK, CallRecord.OK, start, samples);
              result.complete(checked);
            },
            failure -> fail(rpc, samples, start, failure, result));
    return result;
  }

  private <T> void fail(
      String rpc, int samples, long start, Throwable failure, CompletableFuture<T> result) {
    TeacherCallException mapped = TeacherCallException.from(rpc, failure);
    record(rpc, mapped.outcome(), mapped.reason(), start, samples);
    result.completeExceptionally(mapped);
  }

  private void record(String rpc, Outcome outcome, String reason, long start, int samples) {
    listener.called(
        new CallRecord(rpc, outcome, reason, Duration.ofNanos(System.nanoTime() - start), samples));
  }

  /** The parts' answers in order, or the first part's failure. */
  private static CompletableFuture<LabelAnswer> assemble(
      List<CompletableFuture<LabelResponse>> parts) {
    List<SampleLabel> samples = new ArrayList<>();
    String artifact = null;
    for (CompletableFuture<LabelResponse> part : parts) {
      if (part.isCompletedExceptionally()) {
        return part.thenApply(ignored -> (LabelAnswer) null);
      }
      LabelResponse response = part.join();
      if (artifact == null) {
        artifact = response.getArtifactSha256();
      } else if (!artifact.equals(response.getArtifactSha256())) {
        // Replicas mid-rollout: one call's labels must come from one model.
        return CompletableFuture.failedFuture(
            TeacherUnavailableException.malformed(
                CallRecord.LABEL,
                "the parts of one Label call were answered by artifacts "
                    + artifact
                    + " and "
                    + response.getArtifactSha256()
                    + " (replicas serving different models)"));
      }
      for (SampleLabels sample : response.getSamplesList()) {
        samples.add(new SampleLabel(sample.getPositionsList(), sample.getGeneratedIdsList()));
      }
    }
    return CompletableFuture.completedFuture(new LabelAnswer(samples, artifact));
  }
}
