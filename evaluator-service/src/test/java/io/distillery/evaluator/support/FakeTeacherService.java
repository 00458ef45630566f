package io.distillery.evaluator.support;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.digest.Sha256;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.Teacher;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A stand-in for the remote teacher-service, served by the evaluator's own test app over a real
 * gRPC socket (Quarkus points the {@code teacher} client at the test gRPC port). It serves the real
 * {@link TinyTeacher} on ONNX Runtime, can be switched down (UNAVAILABLE) or made to present
 * another artifact sha256 (a new teacher version), and counts the Label calls per sha256.
 */
@GrpcService
public class FakeTeacherService implements Teacher {

  /** Largest batch the fake accepts, smaller than the evaluator's request size. */
  public static final int MAX_BATCH_SIZE = 128;

  private final Model model;
  private final ModelRunner runner;
  private final String realSha256;
  private volatile String servedSha256;
  private volatile boolean down;
  private final Map<String, AtomicInteger> labelCalls = new ConcurrentHashMap<>();
  private final AtomicInteger describeCalls = new AtomicInteger();

  public FakeTeacherService(@ConfigProperty(name = EvaluatorTestResource.MODEL_DIR) Path modelDir)
      throws Exception {
    this.model = TeacherArtifacts.loadOnnx(modelDir, Map.of());
    this.runner = new ModelRunner(model, new long[] {1, 28, 28});
    this.realSha256 = Sha256.file(modelDir.resolve(TeacherArtifacts.ONNX_FILE));
    this.servedSha256 = realSha256;
  }

  @PreDestroy
  void close() {
    model.close();
  }

  /** The card of the served teacher. */
  public TeacherCard card() {
    return TeacherCard.newBuilder()
        .setModelId("tiny-teacher")
        .setVersion("test-1")
        .setArtifactSha256(servedSha256)
        .setEngine(TeacherArtifacts.ONNX_RUNTIME)
        .setTask(Task.TASK_CLASSIFICATION)
        .addAllInputShape(List.of(1L, 28L, 28L))
        .setOutputSize(FashionMnist.NUM_CLASSES)
        .setLicenseSpdx("Apache-2.0")
        .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
        .setLimits(
            TeacherLimits.newBuilder()
                .setMaxBatchSize(MAX_BATCH_SIZE)
                .setMaxTopK(FashionMnist.NUM_CLASSES))
        .addAllClassNames(FashionMnist.CLASS_NAMES)
        .setArchitecture("mlp-784-128-10")
        .build();
  }

  @Override
  public Uni<TeacherCard> describe(DescribeRequest request) {
    describeCalls.incrementAndGet();
    if (down) {
      return unavailable();
    }
    return Uni.createFrom().item(card());
  }

  @Override
  @Blocking
  public Uni<LabelResponse> label(LabelRequest request) {
    String sha = servedSha256;
    labelCalls.computeIfAbsent(sha, s -> new AtomicInteger()).incrementAndGet();
    if (down) {
      return unavailable();
    }
    int count = request.getSamplesCount();
    if (count < 1 || count > MAX_BATCH_SIZE) {
      return invalid("samples: " + count + " not in 1.." + MAX_BATCH_SIZE);
    }
    if (request.getTopK() < 1 || request.getTopK() > FashionMnist.NUM_CLASSES) {
      return invalid("top_k: " + request.getTopK());
    }
    float[] pixels = new float[count * 784];
    for (int i = 0; i < count; i++) {
      ModelInput sample = request.getSamples(i);
      if (sample.getTensor().getValuesCount() != 784) {
        return invalid("samples[" + i + "].tensor.values: expected 784 values");
      }
      for (int v = 0; v < 784; v++) {
        pixels[i * 784 + v] = sample.getTensor().getValues(v);
      }
    }
    float[] logProbs =
        LogSoftmax.apply(
            runner.forward(pixels, count), FashionMnist.NUM_CLASSES, request.getTemperature());
    LabelResponse.Builder response =
        LabelResponse.newBuilder().setRequestId(request.getRequestId()).setArtifactSha256(sha);
    for (int i = 0; i < count; i++) {
      response.addSamples(
          SampleLabels.newBuilder().addPositions(topK(logProbs, i, request.getTopK())));
    }
    return Uni.createFrom().item(response.build());
  }

  @Override
  public Multi<LabelResponse> labelStream(Multi<LabelRequest> requests) {
    return requests.onItem().transformToUniAndConcatenate(this::label);
  }

  private static SparseDistribution topK(float[] logProbs, int sample, int k) {
    int classes = FashionMnist.NUM_CLASSES;
    int[] order =
        IntStream.range(0, classes)
            .boxed()
            .sorted(Comparator.comparingDouble(c -> -logProbs[sample * classes + c]))
            .mapToInt(Integer::intValue)
            .toArray();
    SparseDistribution.Builder d = SparseDistribution.newBuilder();
    double kept = 0;
    for (int j = 0; j < k; j++) {
      float value = logProbs[sample * classes + order[j]];
      d.addIds(order[j]).addLogProbs(value);
      kept += Math.exp(value);
    }
    return d.setTailMass(k == classes ? 0f : (float) Math.max(0, 1 - kept)).build();
  }

  private static <T> Uni<T> unavailable() {
    return Uni.createFrom()
        .failure(Status.UNAVAILABLE.withDescription("fake teacher is down").asException());
  }

  private static <T> Uni<T> invalid(String description) {
    return Uni.createFrom()
        .failure(Status.INVALID_ARGUMENT.withDescription(description).asException());
  }

  /** Answers every call with UNAVAILABLE while {@code down}. */
  public void down(boolean down) {
    this.down = down;
  }

  /** Presents another artifact sha256 (same weights): a new teacher version to the evaluator. */
  public void presentSha256(String sha256) {
    this.servedSha256 = sha256;
  }

  /** Back to the real sha256, up. */
  public void reset() {
    servedSha256 = realSha256;
    down = false;
  }

  /** sha256 of the tiny teacher's model.onnx. */
  public String realSha256() {
    return realSha256;
  }

  /** Label calls received while presenting {@code sha256}, answered or not. */
  public int labelCalls(String sha256) {
    AtomicInteger calls = labelCalls.get(sha256);
    return calls == null ? 0 : calls.get();
  }

  /** Describe calls received. */
  public int describeCalls() {
    return describeCalls.get();
  }

  /** The teacher's log-probabilities for images, computed locally, for expected values. */
  public float[] logProbs(float[] pixels, int count) {
    return LogSoftmax.apply(runner.forward(pixels, count), FashionMnist.NUM_CLASSES, 1f);
  }
}
