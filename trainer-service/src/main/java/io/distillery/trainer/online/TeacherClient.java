package io.distillery.trainer.online;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import io.distillery.trainer.training.TeacherRejectedException;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trainer's client of the teacher (gRPC client {@code teacher}, {@code
 * quarkus.grpc.clients.teacher.host/port}): one call per method with its own deadline, answers
 * mapped to {@link TeacherAnswer}, failures to {@link TeacherRejectedException} (the input is bad;
 * retrying cannot help) or {@link TeacherUnavailableException} (try again later). Retries and
 * backoff are the caller's ({@link OnlineTargets}): it knows when a job stops.
 */
@ApplicationScoped
public class TeacherClient {

  private final MutinyTeacherStub stub;
  private final AtomicLong requests = new AtomicLong();

  @Inject
  public TeacherClient(@GrpcClient("teacher") MutinyTeacherStub stub) {
    this.stub = stub;
  }

  /** The teacher's card. */
  public CompletableFuture<TeacherCard> describe(Duration deadline) {
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .describe(DescribeRequest.getDefaultInstance())
        .onFailure()
        .transform(e -> translate("Describe", e))
        .subscribeAsCompletionStage();
  }

  /**
   * Labels dense inputs.
   *
   * @param inputs row-major (n, shape...) values
   * @param offset first sample of {@code inputs} to send
   * @param count samples to send
   * @param shape shape of one sample
   * @param topK entries per distribution
   * @param temperature temperature of the log-probabilities
   * @param deadline the call's deadline
   */
  public CompletableFuture<TeacherAnswer> label(
      float[] inputs,
      int offset,
      int count,
      long[] shape,
      int topK,
      float temperature,
      Duration deadline) {
    int size = inputs.length == 0 ? 0 : sampleSize(shape);
    LabelRequest.Builder request =
        LabelRequest.newBuilder()
            .setRequestId("trainer-" + requests.incrementAndGet())
            .setTopK(topK)
            .setTemperature(temperature);
    for (int i = 0; i < count; i++) {
      Tensor.Builder tensor = Tensor.newBuilder();
      for (long d : shape) {
        tensor.addShape(d);
      }
      int start = (offset + i) * size;
      for (int v = start; v < start + size; v++) {
        tensor.addValues(inputs[v]);
      }
      request.addSamples(ModelInput.newBuilder().setTensor(tensor));
    }
    LabelRequest built = request.build();
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .label(built)
        .onFailure()
        .transform(e -> translate("Label", e))
        .map(response -> toAnswer(built, response))
        .subscribeAsCompletionStage();
  }

  private static TeacherAnswer toAnswer(LabelRequest request, LabelResponse response) {
    if (response.getSamplesCount() != request.getSamplesCount()) {
      throw new TeacherUnavailableException(
          "teacher answered "
              + response.getSamplesCount()
              + " samples to request "
              + request.getRequestId()
              + " of "
              + request.getSamplesCount(),
          null);
    }
    List<io.distillery.proto.v1.SparseDistribution> distributions =
        new ArrayList<>(response.getSamplesCount());
    for (SampleLabels sample : response.getSamplesList()) {
      if (sample.getPositionsCount() != 1) {
        throw new TeacherRejectedException(
            "teacher returned " + sample.getPositionsCount() + " positions for a classification",
            null);
      }
      distributions.add(sample.getPositions(0));
    }
    return new TeacherAnswer(distributions, response.getArtifactSha256());
  }

  private static RuntimeException translate(String call, Throwable failure) {
    if (failure instanceof TeacherRejectedException
        || failure instanceof TeacherUnavailableException) {
      return (RuntimeException) failure;
    }
    Status status = Status.fromThrowable(failure);
    String message =
        "teacher "
            + call
            + " failed: "
            + status.getCode()
            + (status.getDescription() == null ? "" : ": " + status.getDescription());
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED ->
          new TeacherRejectedException(message, failure);
      default -> new TeacherUnavailableException(message, failure);
    };
  }

  private static int sampleSize(long[] shape) {
    int size = 1;
    for (long d : shape) {
      size *= (int) d;
    }
    return size;
  }
}
