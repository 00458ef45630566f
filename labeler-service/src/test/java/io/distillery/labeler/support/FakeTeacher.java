package io.distillery.labeler.support;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.Teacher;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A fake of the remote teacher-service, served by the labeler's own test app over a real gRPC
 * socket (Quarkus points the {@code teacher} client at the test gRPC port). It labels with {@link
 * FakeTeacherModel}, rejects like the real one (INVALID_ARGUMENT naming the field), can be switched
 * down (UNAVAILABLE), and records what it was asked.
 */
@GrpcService
public class FakeTeacher implements Teacher {

  /** Largest batch the fake accepts. */
  public static final int MAX_BATCH_SIZE = 8;

  /** A first tensor value the fake refuses, so tests can make the teacher reject one prompt. */
  public static final float POISON = 4242f;

  /** The artifact digest on the card and in every response. */
  public static final String SHA256 =
      "5f2b9c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";

  private final TeacherCard card;
  private volatile boolean down;
  private volatile Duration latency = Duration.ZERO;
  private final AtomicInteger labelCalls = new AtomicInteger();
  private final AtomicInteger refusedCalls = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

  public FakeTeacher(
      @ConfigProperty(name = "fake-teacher.distillation", defaultValue = "DISTILLATION_ALLOWED")
          DistillationPolicy distillation) {
    this.card =
        TeacherCard.newBuilder()
            .setModelId("fake-fashion")
            .setVersion("test-1")
            .setArtifactSha256(SHA256)
            .setEngine("PyTorch")
            .setTask(Task.TASK_CLASSIFICATION)
            .addAllInputShape(List.of(1L, 28L, 28L))
            .setOutputSize(FakeTeacherModel.CLASSES)
            .setLicenseSpdx(
                distillation == DistillationPolicy.DISTILLATION_ALLOWED
                    ? "Apache-2.0"
                    : "LicenseRef-NoDistillation")
            .setDistillation(distillation)
            .setLimits(
                TeacherLimits.newBuilder()
                    .setMaxBatchSize(MAX_BATCH_SIZE)
                    .setMaxTopK(FakeTeacherModel.CLASSES))
            .build();
  }

  @Override
  public Uni<TeacherCard> describe(DescribeRequest request) {
    if (down) {
      return Uni.createFrom()
          .failure(Status.UNAVAILABLE.withDescription("fake down").asException());
    }
    return Uni.createFrom().item(card);
  }

  @Override
  public Uni<LabelResponse> label(LabelRequest request) {
    labelCalls.incrementAndGet();
    if (down) {
      refusedCalls.incrementAndGet();
      return Uni.createFrom()
          .failure(Status.UNAVAILABLE.withDescription("fake teacher is down").asException());
    }
    if (request.getSamplesCount() > MAX_BATCH_SIZE) {
      return invalid("samples: " + request.getSamplesCount() + " > max_batch_size 8");
    }
    LabelResponse.Builder response =
        LabelResponse.newBuilder().setRequestId(request.getRequestId()).setArtifactSha256(SHA256);
    for (int i = 0; i < request.getSamplesCount(); i++) {
      ModelInput sample = request.getSamples(i);
      if (sample.getTensor().getValuesCount() != 784) {
        return invalid("samples[" + i + "].tensor.values: expected 784 values");
      }
      if (sample.getTensor().getValues(0) == POISON) {
        return invalid("samples[" + i + "].tensor.values[0]=" + POISON + " is out of range");
      }
      float[] input = new float[784];
      for (int v = 0; v < input.length; v++) {
        input[v] = sample.getTensor().getValues(v);
      }
      response.addSamples(
          SampleLabels.newBuilder()
              .addPositions(
                  FakeTeacherModel.label(input, request.getTopK(), request.getTemperature())));
    }
    batchSizes.add(request.getSamplesCount());
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    Uni<LabelResponse> answer = Uni.createFrom().item(response.build());
    Duration delay = latency;
    if (!delay.isZero()) {
      answer = answer.onItem().delayIt().by(delay);
    }
    return answer.onTermination().invoke(running::decrementAndGet);
  }

  @Override
  public Multi<LabelResponse> labelStream(Multi<LabelRequest> requests) {
    return requests.onItem().transformToUniAndConcatenate(this::label);
  }

  private static Uni<LabelResponse> invalid(String description) {
    return Uni.createFrom()
        .failure(Status.INVALID_ARGUMENT.withDescription(description).asException());
  }

  /** Back to a healthy, instant teacher with empty statistics. */
  public void reset() {
    down = false;
    latency = Duration.ZERO;
    labelCalls.set(0);
    refusedCalls.set(0);
    maxRunning.set(0);
    batchSizes.clear();
  }

  /** Answers every call with UNAVAILABLE while {@code down}. */
  public void down(boolean down) {
    this.down = down;
  }

  /** Delays every answer. */
  public void latency(Duration latency) {
    this.latency = latency;
  }

  /** Label calls received, answered or not. */
  public int labelCalls() {
    return labelCalls.get();
  }

  /** Label calls refused with UNAVAILABLE. */
  public int refusedCalls() {
    return refusedCalls.get();
  }

  /** Most Label calls answered concurrently. */
  public int maxConcurrentCalls() {
    return maxRunning.get();
  }

  /** Sizes of the Label requests answered. */
  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }
}
