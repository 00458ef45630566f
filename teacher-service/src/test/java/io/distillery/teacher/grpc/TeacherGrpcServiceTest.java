package io.distillery.teacher.grpc;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.digest.Sha256;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.TinyTeacherResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Teacher API over a real gRPC socket, serving a real (briefly trained) CNN on ONNX Runtime.
 */
@QuarkusTest
@QuarkusTestResource(value = TinyTeacherResource.class, restrictToAnnotatedClass = true)
class TeacherGrpcServiceTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static LabeledImages test;

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  private ManagedChannel channel;
  private MutinyTeacherGrpc.MutinyTeacherStub teacher;

  @BeforeAll
  static void readTestImages() throws Exception {
    test = FashionMnist.test(FashionMnistLocator.locate());
  }

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    teacher = MutinyTeacherGrpc.newMutinyStub(channel);
  }

  @AfterEach
  void disconnect() {
    channel.shutdownNow();
  }

  private static ModelInput image(int index) {
    Tensor.Builder tensor = Tensor.newBuilder().addAllShape(FashionMnist.SAMPLE_SHAPE);
    int size = test.sampleSize();
    for (int i = 0; i < size; i++) {
      tensor.addValues(test.images()[index * size + i]);
    }
    return ModelInput.newBuilder().setTensor(tensor).build();
  }

  private static LabelRequest request(int k, float temperature, int... images) {
    LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(k).setTemperature(temperature);
    for (int index : images) {
      request.addSamples(image(index));
    }
    return request.build();
  }

  private LabelResponse label(LabelRequest request) {
    return teacher.label(request).await().atMost(WAIT);
  }

  private Status.Code failureOf(LabelRequest request, String expectedInMessage) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> label(request));
    assertTrue(
        e.getStatus().getDescription().contains(expectedInMessage), e.getStatus().getDescription());
    return e.getStatus().getCode();
  }

  @Test
  void describeReturnsTheCardWithTheArtifactsSha256() throws Exception {
    TeacherCard card = teacher.describe(DescribeRequest.getDefaultInstance()).await().atMost(WAIT);
    String onnxSha =
        Sha256.file(TinyTeacherResource.modelDir().resolve(TeacherArtifacts.ONNX_FILE));
    assertEquals(onnxSha, card.getArtifactSha256());
    assertEquals("OnnxRuntime", card.getEngine());
    assertEquals(Task.TASK_CLASSIFICATION, card.getTask());
    assertEquals(FashionMnist.SAMPLE_SHAPE, card.getInputShapeList());
    assertEquals(10, card.getOutputSize());
    assertEquals("Apache-2.0", card.getLicenseSpdx());
    assertEquals(DistillationPolicy.DISTILLATION_ALLOWED, card.getDistillation());
    assertEquals(256, card.getLimits().getMaxBatchSize());
    assertEquals("fashion-cnn", card.getArchitecture());
  }

  @Test
  void labelsMatchThePyTorchModelOnRealImages() throws Exception {
    LabelResponse response = label(request(10, 2f, 0, 1, 2, 3));
    assertEquals(4, response.getSamplesCount());
    try (Model pytorch = TeacherArtifacts.loadPyTorch(TinyTeacherResource.modelDir())) {
      float[] input = new float[4 * test.sampleSize()];
      System.arraycopy(test.images(), 0, input, 0, input.length);
      float[] logits = new ModelRunner(pytorch, new long[] {1, 28, 28}).forward(input, 4);
      for (int s = 0; s < 4; s++) {
        SparseDistribution labels = response.getSamples(s).getPositions(0);
        assertEquals(0f, labels.getTailMass());
        double normalizer = 0;
        for (int c = 0; c < 10; c++) {
          normalizer += Math.exp(logits[s * 10 + c] / 2.0);
        }
        for (int i = 0; i < 10; i++) {
          int c = labels.getIds(i);
          double expected = logits[s * 10 + c] / 2.0 - Math.log(normalizer);
          assertEquals(expected, labels.getLogProbs(i), 1e-4, "sample " + s + " class " + c);
        }
      }
    }
  }

  @Test
  void topKKeepsTheTailMass() {
    SparseDistribution top3 = label(request(3, 1f, 7)).getSamples(0).getPositions(0);
    assertEquals(3, top3.getIdsCount());
    double kept = 0;
    for (float logProb : top3.getLogProbsList()) {
      kept += Math.exp(logProb);
    }
    assertEquals(1.0, kept + top3.getTailMass(), 1e-5);
    assertTrue(top3.getTailMass() > 0);
  }

  @Test
  void concurrentSingleSampleCallersEachGetTheirOwnImagesLabels() throws Exception {
    // The expected labels, one request per image, before any batching with other callers.
    int callers = 32;
    List<SparseDistribution> alone = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      alone.add(label(request(10, 1f, i)).getSamples(0).getPositions(0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<SparseDistribution>> together = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int image = i;
        together.add(
            pool.submit(() -> label(request(10, 1f, image)).getSamples(0).getPositions(0)));
      }
      for (int i = 0; i < callers; i++) {
        SparseDistribution expected = alone.get(i);
        SparseDistribution actual = together.get(i).get();
        assertEquals(expected.getIdsList(), actual.getIdsList(), "caller " + i);
        for (int k = 0; k < 10; k++) {
          assertEquals(expected.getLogProbs(k), actual.getLogProbs(k), 1e-4, "caller " + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("distillery_teacher_batch_size_count"))
        .body(containsString("distillery_teacher_samples_total"));
  }

  @Test
  void streamingReturnsResponsesInRequestOrder() {
    List<LabelRequest> requests = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      requests.add(request(2, 1f, i, i + 1).toBuilder().setRequestId("r" + i).build());
    }
    List<LabelResponse> responses =
        teacher
            .labelStream(Multi.createFrom().iterable(requests))
            .collect()
            .asList()
            .await()
            .atMost(WAIT);
    assertEquals(
        List.of("r0", "r1", "r2", "r3", "r4"),
        responses.stream().map(LabelResponse::getRequestId).toList());
    assertTrue(responses.stream().allMatch(r -> r.getSamplesCount() == 2));
  }

  @Test
  void everyKindOfBadRequestIsInvalidArgumentNamingTheField() {
    Map<String, LabelRequest> cases =
        Map.of(
            "samples: the batch is empty", request(10, 1f),
            "exceed this teacher's max_batch_size", request(10, 1f, new int[257]),
            "top_k: 0 is outside [1, 10]", request(0, 1f, 0),
            "top_k: 11 is outside [1, 10]", request(11, 1f, 0),
            "temperature: must be a finite number > 0", request(10, 0f, 0),
            "samples[1].tensor.values: 783 values, expected 784",
                withSample(
                    request(10, 1f, 0, 1),
                    1,
                    t -> {
                      List<Float> values = new ArrayList<>(t.getValuesList());
                      return t.clearValues().addAllValues(values.subList(1, values.size()));
                    }),
            "samples[0].tensor.shape: [28, 28] does not match",
                withSample(request(10, 1f, 0), 0, t -> t.clearShape().addShape(28).addShape(28)),
            "samples[0].tensor.values[5]: NaN",
                withSample(request(10, 1f, 0), 0, t -> t.setValues(5, Float.NaN)));
    cases.forEach(
        (message, request) ->
            assertEquals(Status.Code.INVALID_ARGUMENT, failureOf(request, message)));
    LabelRequest tokens =
        LabelRequest.newBuilder()
            .setTopK(1)
            .setTemperature(1)
            .addSamples(
                ModelInput.newBuilder()
                    .setTokens(io.distillery.proto.v1.TokenSequence.newBuilder().addIds(3)))
            .build();
    assertEquals(Status.Code.INVALID_ARGUMENT, failureOf(tokens, "samples[0]: expected a tensor"));
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("distillery_teacher_rejections_total{reason=\"top-k\"}"));
  }

  private static LabelRequest withSample(
      LabelRequest request, int index, UnaryOperator<Tensor.Builder> change) {
    Tensor.Builder tensor = request.getSamples(index).getTensor().toBuilder();
    return request.toBuilder()
        .setSamples(index, ModelInput.newBuilder().setTensor(change.apply(tensor)))
        .build();
  }

  @Test
  void overloadIsRejectedAtOnceWithResourceExhaustedAndTheServiceRecovers() throws Exception {
    // 24 callers × 256 samples against a queue of 512: most must be turned away, not queued.
    int[] images = new int[256];
    for (int i = 0; i < images.length; i++) {
      images[i] = i;
    }
    LabelRequest big = request(1, 1f, images);
    List<CompletableFuture<Status.Code>> outcomes = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      outcomes.add(
          teacher
              .label(big)
              .map(r -> Status.Code.OK)
              .onFailure(StatusRuntimeException.class)
              .recoverWithItem(e -> ((StatusRuntimeException) e).getStatus().getCode())
              .subscribeAsCompletionStage());
    }
    List<Status.Code> codes = new ArrayList<>();
    for (CompletableFuture<Status.Code> outcome : outcomes) {
      codes.add(outcome.get());
    }
    assertTrue(codes.contains(Status.Code.OK), codes.toString());
    assertTrue(codes.contains(Status.Code.RESOURCE_EXHAUSTED), codes.toString());
    assertTrue(
        codes.stream().allMatch(c -> c == Status.Code.OK || c == Status.Code.RESOURCE_EXHAUSTED),
        codes.toString());
    assertEquals(1, label(request(1, 1f, 0)).getSamplesCount(), "must serve again after overload");
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("distillery_teacher_rejections_total{reason=\"queue-full\"}"));
  }

  @Test
  void isReadyWithTheModelFacts() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", is("UP"))
        .body("checks.find { it.name == 'teacher-model' }.data.engine", is("OnnxRuntime"));
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("distillery_teacher_model_loaded{engine=\"OnnxRuntime\"} 1.0"));
  }
}
