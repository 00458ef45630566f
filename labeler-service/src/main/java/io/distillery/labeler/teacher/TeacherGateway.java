package io.distillery.labeler.teacher;

import io.distillery.labeler.config.LabelerConfig;
import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The labeler's client of the teacher (gRPC client {@code teacher}): wraps the generated Mutiny
 * stub, puts a deadline on every call, maps proto answers to {@link TeacherProfile} and {@link
 * LabelResult}, and gRPC failures to {@link TeacherRejectedException} (the input is bad) or {@link
 * TeacherUnavailableException} (try again later). Label calls go through a SmallRye Fault Tolerance
 * guard: quick retries with exponential backoff inside a circuit breaker.
 */
@ApplicationScoped
public class TeacherGateway implements TeacherLabeler, TeacherDescriber {

  private static final Logger LOG = Logger.getLogger(TeacherGateway.class);

  private final MutinyTeacherStub stub;
  private final LabelerMetrics metrics;
  private final Duration describeDeadline;
  private final Duration labelDeadline;
  private final TypedGuard<Uni<LabelResponse>> guard;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong requestIds = new AtomicLong();

  @Inject
  public TeacherGateway(
      @GrpcClient("teacher") MutinyTeacherStub stub, LabelerConfig config, LabelerMetrics metrics) {
    this.stub = stub;
    this.metrics = metrics;
    this.describeDeadline = config.teacher().describeDeadline();
    this.labelDeadline = config.teacher().labelDeadline();
    this.guard = labelGuard(config.teacher());
  }

  private static TypedGuard<Uni<LabelResponse>> labelGuard(LabelerConfig.Teacher teacher) {
    LabelerConfig.Retry retry = teacher.retry();
    LabelerConfig.CircuitBreaker breaker = teacher.circuitBreaker();
    long delay = retry.initialDelay().toMillis();
    return TypedGuard.create(new TypeLiteral<Uni<LabelResponse>>() {})
        .withDescription("teacher-label")
        .withRetry()
        .maxRetries(retry.maxRetries())
        .delay(delay, ChronoUnit.MILLIS)
        .jitter(delay / 4, ChronoUnit.MILLIS)
        .abortOn(TeacherRejectedException.class)
        .withExponentialBackoff()
        .factor(2)
        .maxDelay(retry.maxDelay().toMillis(), ChronoUnit.MILLIS)
        .done()
        .done()
        .withCircuitBreaker()
        .requestVolumeThreshold(breaker.requestVolumeThreshold())
        .failureRatio(breaker.failureRatio())
        .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
        .skipOn(TeacherRejectedException.class)
        .done()
        .build();
  }

  @Override
  public Uni<TeacherProfile> describe() {
    return Uni.createFrom()
        .deferred(
            () ->
                stub.withDeadlineAfter(describeDeadline.toMillis(), TimeUnit.MILLISECONDS)
                    .describe(DescribeRequest.getDefaultInstance()))
        .map(TeacherProfile::new)
        .invoke(ignored -> metrics.teacherUp(true))
        .onFailure()
        .transform(failure -> translate("Describe", failure));
  }

  @Override
  public Uni<LabelResult> label(List<ModelInput> samples, int topK, float temperature) {
    LabelRequest request =
        LabelRequest.newBuilder()
            .setRequestId("labeler-" + requestIds.incrementAndGet())
            .addAllSamples(samples)
            .setTopK(topK)
            .setTemperature(temperature)
            .build();
    return guard
        .get(() -> attempt(request))
        .onFailure(CircuitBreakerOpenException.class)
        .transform(
            open ->
                new TeacherUnavailableException(
                    "circuit breaker open after repeated teacher failures", open))
        .map(response -> toResult(request, response));
  }

  /** One Label call with its own deadline, timed, with failures already translated. */
  private Uni<LabelResponse> attempt(LabelRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              metrics.teacherBatch(request.getSamplesCount());
              long start = System.nanoTime();
              return stub.withDeadlineAfter(labelDeadline.toMillis(), TimeUnit.MILLISECONDS)
                  .label(request)
                  .onItem()
                  .invoke(
                      ignored -> {
                        metrics.teacherCall("ok", Duration.ofNanos(System.nanoTime() - start));
                        up();
                      })
                  .onFailure()
                  .transform(
                      failure -> {
                        metrics.teacherCall(
                            outcome(failure), Duration.ofNanos(System.nanoTime() - start));
                        RuntimeException translated = translate("Label", failure);
                        if (translated instanceof TeacherUnavailableException) {
                          down(translated.getMessage());
                        }
                        return translated;
                      });
            });
  }

  private LabelResult toResult(LabelRequest request, LabelResponse response) {
    if (response.getSamplesCount() != request.getSamplesCount()) {
      throw new TeacherUnavailableException(
          "teacher answered "
              + response.getSamplesCount()
              + " samples to request "
              + request.getRequestId()
              + " of "
              + request.getSamplesCount()
              + " samples; the response is unusable");
    }
    return new LabelResult(
        response.getSamplesList().stream()
            .map(sample -> new SampleLabel(sample.getPositionsList()))
            .toList(),
        response.getArtifactSha256());
  }

  private RuntimeException translate(String call, Throwable failure) {
    if (failure instanceof TeacherRejectedException
        || failure instanceof TeacherUnavailableException) {
      return (RuntimeException) failure;
    }
    Status status = Status.fromThrowable(failure);
    if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
      return new TeacherRejectedException(
          "teacher rejected the input: " + status.getDescription(), failure);
    }
    return new TeacherUnavailableException(
        "teacher "
            + call
            + " failed: "
            + status.getCode()
            + (status.getDescription() == null ? "" : ": " + status.getDescription()),
        failure);
  }

  private void down(String reason) {
    metrics.teacherUp(false);
    if (down.compareAndSet(false, true)) {
      LOG.warnf("%s; holding prompts and retrying with backoff until it answers", reason);
    }
  }

  private void up() {
    metrics.teacherUp(true);
    if (down.compareAndSet(true, false)) {
      LOG.info("teacher answers again; labelling resumes");
    }
  }

  private static String outcome(Throwable failure) {
    return Status.fromThrowable(failure)
        .getCode()
        .name()
        .toLowerCase(Locale.ROOT)
        .replace('_', '-');
  }
}
