package io.distillery.evaluator.teacher;

import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherGrpc.TeacherBlockingStub;
import io.distillery.proto.v1.Tensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The evaluator's client of the teacher (gRPC client {@code teacher}): wraps the generated blocking
 * stub, puts a deadline on every call, retries quickly with exponential backoff (SmallRye Fault
 * Tolerance), maps the card to {@link TeacherInfo} and sparse answers to dense log-probabilities,
 * and gRPC failures to {@link TeacherUnavailableException} (try later) or {@link
 * TeacherRejectedException} (asking again will not help). Calls block: they run on the checkpoint
 * channel's worker thread.
 */
@ApplicationScoped
public class TeacherGateway implements ReferenceTeacher {

  /** Softmax temperature of the reference: the metrics are defined at T = 1. */
  private static final float TEMPERATURE = 1f;

  /** Largest tail mass accepted from a full distribution: float rounding only. */
  private static final float TAIL_TOLERANCE = 1e-3f;

  private final TeacherBlockingStub stub;
  private final Duration describeDeadline;
  private final Duration labelDeadline;
  private final TypedGuard<TeacherCard> describeGuard;
  private final TypedGuard<LabelResponse> labelGuard;
  private final AtomicLong requestIds = new AtomicLong();

  @Inject
  public TeacherGateway(@GrpcClient("teacher") TeacherBlockingStub stub, EvaluatorConfig config) {
    this.stub = stub;
    this.describeDeadline = config.teacher().describeDeadline();
    this.labelDeadline = config.teacher().labelDeadline();
    this.describeGuard = guard(TeacherCard.class, "teacher-describe", config.teacher().retry());
    this.labelGuard = guard(LabelResponse.class, "teacher-label", config.teacher().retry());
  }

  private static <T> TypedGuard<T> guard(
      Class<T> type, String description, EvaluatorConfig.Retry retry) {
    long delay = retry.initialDelay().toMillis();
    return TypedGuard.create(type)
        .withDescription(description)
        .withRetry()
        .maxRetries(retry.maxRetries())
        .delay(delay, ChronoUnit.MILLIS)
        .jitter(delay / 4, ChronoUnit.MILLIS)
        .retryOn(TeacherUnavailableException.class)
        .abortOn(TeacherRejectedException.class)
        .withExponentialBackoff()
        .factor(2)
        .maxDelay(retry.maxDelay().toMillis(), ChronoUnit.MILLIS)
        .done()
        .done()
        .build();
  }

  @Override
  public TeacherInfo describe() {
    TeacherCard card =
        call(
            describeGuard,
            () ->
                stub.withDeadlineAfter(describeDeadline.toMillis(), TimeUnit.MILLISECONDS)
                    .describe(DescribeRequest.getDefaultInstance()),
            "Describe");
    return TeacherInfo.of(card);
  }

  @Override
  public float[] logProbs(TeacherInfo teacher, float[] images, int count) {
    LabelRequest request = request(teacher, images, count);
    LabelResponse response =
        call(
            labelGuard,
            () ->
                stub.withDeadlineAfter(labelDeadline.toMillis(), TimeUnit.MILLISECONDS)
                    .label(request),
            "Label");
    if (!response.getArtifactSha256().equals(teacher.artifactSha256())) {
      // Another model answered: the deployment changed between Describe and Label.
      throw new TeacherUnavailableException(
          "teacher artifact changed from "
              + teacher.artifactSha256()
              + " to "
              + response.getArtifactSha256()
              + " while fetching its reference");
    }
    return dense(teacher, request, response);
  }

  private LabelRequest request(TeacherInfo teacher, float[] images, int count) {
    int per = images.length / count;
    LabelRequest.Builder request =
        LabelRequest.newBuilder()
            .setRequestId("evaluator-" + requestIds.incrementAndGet())
            .setTopK(teacher.outputSize())
            .setTemperature(TEMPERATURE);
    long[] shape = teacher.inputShape();
    for (int i = 0; i < count; i++) {
      Tensor.Builder tensor = Tensor.newBuilder();
      for (long dim : shape) {
        tensor.addShape(dim);
      }
      for (int v = i * per; v < (i + 1) * per; v++) {
        tensor.addValues(images[v]);
      }
      request.addSamples(ModelInput.newBuilder().setTensor(tensor));
    }
    return request.build();
  }

  /** Full distributions as a dense (count, classes) array, checked entry by entry. */
  private static float[] dense(TeacherInfo teacher, LabelRequest request, LabelResponse response) {
    int classes = teacher.outputSize();
    int count = request.getSamplesCount();
    if (response.getSamplesCount() != count) {
      throw new TeacherRejectedException(
          "teacher answered "
              + response.getSamplesCount()
              + " samples to request "
              + request.getRequestId()
              + " of "
              + count);
    }
    float[] out = new float[count * classes];
    for (int i = 0; i < count; i++) {
      if (response.getSamples(i).getPositionsCount() != 1) {
        throw new TeacherRejectedException(
            "samples["
                + i
                + "] has "
                + response.getSamples(i).getPositionsCount()
                + " positions, a classifier answers 1");
      }
      SparseDistribution d = response.getSamples(i).getPositions(0);
      if (d.getIdsCount() != classes
          || d.getLogProbsCount() != classes
          || d.getTailMass() > TAIL_TOLERANCE) {
        throw new TeacherRejectedException(
            String.format(
                "samples[%d] has %d ids, %d log_probs and tail_mass %s; asked for all %d classes",
                i, d.getIdsCount(), d.getLogProbsCount(), d.getTailMass(), classes));
      }
      boolean[] seen = new boolean[classes];
      for (int k = 0; k < classes; k++) {
        int id = d.getIds(k);
        if (id < 0 || id >= classes || seen[id]) {
          throw new TeacherRejectedException(
              "samples[" + i + "].ids[" + k + "]=" + id + " is out of range or repeated");
        }
        seen[id] = true;
        out[i * classes + id] = d.getLogProbs(k);
      }
    }
    return out;
  }

  private static <T> T call(TypedGuard<T> guard, Callable<T> rpc, String name) {
    try {
      return guard.call(
          () -> {
            try {
              return rpc.call();
            } catch (StatusRuntimeException e) {
              throw translate(name, e);
            }
          });
    } catch (TeacherUnavailableException | TeacherRejectedException e) {
      throw e;
    } catch (Exception e) {
      throw new TeacherUnavailableException("teacher " + name + " failed: " + e, e);
    }
  }

  private static RuntimeException translate(String name, StatusRuntimeException failure) {
    Status status = failure.getStatus();
    String detail =
        status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
      return new TeacherRejectedException("teacher rejected " + name + ": " + detail, failure);
    }
    return new TeacherUnavailableException("teacher " + name + " failed: " + detail, failure);
  }
}
