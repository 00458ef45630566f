package io.distillery.teacher.task.causallm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.digest.Sha256;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacher.TinyLanguageModel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A causal-LM teacher over a real gRPC socket: a tiny decoder trained and exported by our own
 * pipeline, served from its {@code model.onnx} on ONNX Runtime, checked against the same model's
 * DJL parameters on PyTorch.
 */
@QuarkusTest
@QuarkusTestResource(value = TinyLanguageModel.class, restrictToAnnotatedClass = true)
class CausalLmGrpcTest {

  private static final int VOCAB = TinyLanguageModel.VOCAB;
  private static final int CONTEXT = TinyLanguageModel.CONTEXT;

  private static LmReference reference;
  private static List<int[]> texts;
  private static int endOfText;

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  private ManagedChannel channel;
  private TeacherGrpc.TeacherBlockingStub teacher;

  @BeforeAll
  static void loadReference() throws Exception {
    Path dir = TinyLanguageModel.modelDir();
    reference = new LmReference(dir, VOCAB);
    endOfText = TeacherCardFile.read(dir).languageModel().tokenizer().endOfTextId();
    texts = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
      for (var doc : TinyLanguageModel.corpus("probe", 3, 6).documents()) {
        long[] ids = tokenizer.encode(doc.text());
        texts.add(Arrays.stream(ids).mapToInt(Math::toIntExact).toArray());
      }
    }
  }

  @AfterAll
  static void closeReference() {
    reference.close();
  }

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    teacher = TeacherGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void disconnect() {
    channel.shutdownNow();
  }

  @Test
  void describesTheLanguageModel() throws Exception {
    Path dir = TinyLanguageModel.modelDir();
    TeacherCard card = teacher.describe(DescribeRequest.getDefaultInstance());
    assertEquals(Task.TASK_CAUSAL_LM, card.getTask());
    assertEquals(VOCAB, card.getOutputSize());
    assertEquals(CONTEXT, card.getLimits().getMaxSequenceLength());
    assertEquals(VOCAB, card.getLimits().getMaxTopK());
    assertEquals(Sha256.file(dir.resolve("tokenizer.json")), card.getTokenizerSha256());
    assertEquals(Sha256.file(dir.resolve("model.onnx")), card.getArtifactSha256());
    assertEquals(endOfText, card.getEndOfTextId());
    assertEquals("OnnxRuntime", card.getEngine());
    assertTrue(card.getInputShapeList().isEmpty());
    assertTrue(card.getTrainingFactsMap().containsKey("bits_per_byte"), card.toString());
  }

  @Test
  void servedDistributionsAgreeWithPyTorchOnePerTokenInAPaddedBatch() {
    // Different lengths in one request: one forward pass, padded, grouped by length.
    List<int[]> prompts =
        List.of(prefix(0, CONTEXT), prefix(1, 5), prefix(2, 1), prefix(3, 17), prefix(4, 31));
    LabelResponse response = teacher.label(request(prompts, VOCAB, null));
    assertEquals(prompts.size(), response.getSamplesCount());
    double worst = 0;
    for (int s = 0; s < prompts.size(); s++) {
      int[] ids = prompts.get(s);
      SampleLabels labels = response.getSamples(s);
      assertEquals(ids.length, labels.getPositionsCount(), "one distribution per input token");
      assertEquals(0, labels.getGeneratedIdsCount());
      float[] expected = reference.logProbs(ids);
      for (int p = 0; p < ids.length; p++) {
        SparseDistribution d = labels.getPositions(p);
        assertEquals(VOCAB, d.getIdsCount());
        for (int e = 0; e < d.getIdsCount(); e++) {
          worst = Math.max(worst, Math.abs(d.getLogProbs(e) - expected[p * VOCAB + d.getIds(e)]));
        }
      }
    }
    assertTrue(worst <= 1e-4, "max |Δ log p| ONNX Runtime vs PyTorch = " + worst);
  }

  @Test
  void topKKeepsTheMostProbableAndTheTail() {
    int[] ids = prefix(1, 12);
    SampleLabels labels = teacher.label(request(List.of(ids), 4, null)).getSamples(0);
    float[] expected = reference.logProbs(ids);
    for (int p = 0; p < ids.length; p++) {
      SparseDistribution d = labels.getPositions(p);
      assertEquals(4, d.getIdsCount());
      double kept = 0;
      for (int e = 0; e < 4; e++) {
        kept += Math.exp(d.getLogProbs(e));
        if (e > 0) {
          assertTrue(d.getLogProbs(e) <= d.getLogProbs(e - 1));
        }
      }
      assertEquals(1 - kept, d.getTailMass(), 1e-4);
      // No token outside the kept ones is more probable than the last kept one.
      for (int id = 0; id < VOCAB; id++) {
        if (!d.getIdsList().contains(id)) {
          assertTrue(expected[p * VOCAB + id] <= d.getLogProbs(3) + 1e-4);
        }
      }
    }
  }

  @Test
  void concurrentCallersOfDifferentLengthsGetTheirOwnDistributions() throws Exception {
    TeacherGrpc.TeacherFutureStub async = TeacherGrpc.newFutureStub(channel);
    List<int[]> prompts = new ArrayList<>();
    List<com.google.common.util.concurrent.ListenableFuture<LabelResponse>> calls =
        new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int[] ids = prefix(i % texts.size(), 1 + (i * 7) % CONTEXT);
      prompts.add(ids);
      calls.add(
          async.withDeadlineAfter(60, TimeUnit.SECONDS).label(request(List.of(ids), 8, null)));
    }
    for (int i = 0; i < calls.size(); i++) {
      SampleLabels labels = calls.get(i).get(60, TimeUnit.SECONDS).getSamples(0);
      int[] ids = prompts.get(i);
      float[] expected = reference.logProbs(ids);
      assertEquals(ids.length, labels.getPositionsCount());
      int last = ids.length - 1;
      SparseDistribution d = labels.getPositions(last);
      assertEquals(expected[last * VOCAB + d.getIds(0)], d.getLogProbs(0), 1e-4);
    }
  }

  @Test
  void greedyGenerationIsDeterministicMatchesPyTorchAndLabelsEveryPosition() {
    int[] prompt = prefix(2, 6);
    GenerationSettings greedy = GenerationSettings.newBuilder().setMaxNewTokens(10).build();
    SampleLabels first = teacher.label(request(List.of(prompt), 8, greedy)).getSamples(0);
    SampleLabels again = teacher.label(request(List.of(prompt), 8, greedy)).getSamples(0);
    assertEquals(first, again);
    int[] generated = first.getGeneratedIdsList().stream().mapToInt(Integer::intValue).toArray();
    assertArrayEquals(reference.greedy(prompt, 10, endOfText), generated);
    assertTrue(generated.length >= 1 && generated.length <= 10);
    for (int i = 0; i < generated.length - 1; i++) {
      assertNotEquals(endOfText, generated[i], "generation goes past end-of-text");
    }
    assertTrue(generated.length == 10 || generated[generated.length - 1] == endOfText);
    assertEquals(prompt.length + generated.length, first.getPositionsCount());
    // Each generated token is the argmax of the position before it.
    for (int i = 0; i < generated.length; i++) {
      assertEquals(generated[i], first.getPositions(prompt.length - 1 + i).getIds(0));
    }
  }

  @Test
  void sampledGenerationRepeatsWithItsSeedAndSampleIUsesSeedPlusI() {
    int[] prompt = prefix(0, 4);
    GenerationSettings seven =
        GenerationSettings.newBuilder()
            .setMaxNewTokens(12)
            .setSamplingTemperature(1.5f)
            .setSeed(7)
            .build();
    LabelResponse twice = teacher.label(request(List.of(prompt, prompt), 4, seven));
    LabelResponse again = teacher.label(request(List.of(prompt), 4, seven));
    LabelResponse eight =
        teacher.label(request(List.of(prompt), 4, seven.toBuilder().setSeed(8).build()));
    assertEquals(again.getSamples(0), twice.getSamples(0));
    assertEquals(eight.getSamples(0), twice.getSamples(1));
    for (SampleLabels s : twice.getSamplesList()) {
      assertEquals(prompt.length + s.getGeneratedIdsCount(), s.getPositionsCount());
      assertTrue(s.getGeneratedIdsCount() >= 1);
    }
    // Samples at T=1.5 from different seeds: over 8 seeds not all continuations are equal.
    List<List<Integer>> seen = new ArrayList<>();
    for (int seed = 0; seed < 8; seed++) {
      seen.add(
          teacher
              .label(request(List.of(prompt), 1, seven.toBuilder().setSeed(seed).build()))
              .getSamples(0)
              .getGeneratedIdsList());
    }
    assertTrue(seen.stream().distinct().count() > 1, "sampling ignored the seed: " + seen);
  }

  @Test
  void limitsAreInvalidArgumentsNamingTheField() {
    assertInvalid(request(List.of(new int[0]), 4, null), "samples[0].tokens.ids", "empty");
    assertInvalid(
        request(List.of(prefix(0, 3), new int[CONTEXT + 1]), 4, null),
        "samples[1].tokens.ids",
        "longest sequence of " + CONTEXT);
    assertInvalid(
        request(List.of(new int[] {1, 2, VOCAB}), 4, null), "samples[0].tokens.ids[2]", "outside");
    assertInvalid(request(List.of(new int[] {-1}), 4, null), "samples[0].tokens.ids[0]", "outside");
    assertInvalid(request(List.of(prefix(0, 3)), VOCAB + 1, null), "top_k", "max_top_k");
    assertInvalid(
        request(
            List.of(prefix(0, CONTEXT - 4)),
            4,
            GenerationSettings.newBuilder().setMaxNewTokens(5).build()),
        "generation.max_new_tokens",
        "longest sequence");
    assertInvalid(
        LabelRequest.newBuilder()
            .setTopK(4)
            .setTemperature(1f)
            .addSamples(
                ModelInput.newBuilder().setTensor(Tensor.newBuilder().addShape(1).addValues(1f)))
            .build(),
        "samples[0]",
        "token ids");
    // A request at the limits is fine.
    LabelResponse ok =
        teacher.label(
            request(
                List.of(prefix(0, CONTEXT - 4)),
                VOCAB,
                GenerationSettings.newBuilder().setMaxNewTokens(4).build()));
    assertTrue(ok.getSamples(0).getPositionsCount() <= CONTEXT);
  }

  private void assertInvalid(LabelRequest request, String field, String detail) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> teacher.label(request));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
    String description = e.getStatus().getDescription();
    assertTrue(description.startsWith(field), description);
    assertTrue(description.contains(detail), description);
  }

  private static int[] prefix(int text, int length) {
    return Arrays.copyOf(texts.get(text), length);
  }

  private static LabelRequest request(
      List<int[]> prompts, int topK, GenerationSettings generation) {
    LabelRequest.Builder request =
        LabelRequest.newBuilder().setRequestId("r").setTopK(topK).setTemperature(1f);
    for (int[] ids : prompts) {
      TokenSequence.Builder tokens = TokenSequence.newBuilder();
      Arrays.stream(ids).forEach(tokens::addIds);
      request.addSamples(ModelInput.newBuilder().setTokens(tokens));
    }
    if (generation != null) {
      request.setGeneration(generation);
    }
    return request.build();
  }
}
