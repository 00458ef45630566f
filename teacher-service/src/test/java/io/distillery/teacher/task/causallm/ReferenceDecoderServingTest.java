package io.distillery.teacher.task.causallm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.models.digest.Sha256;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.testing.ReferenceDecoder;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacher.TinyLanguageModel;
import io.distillery.teacher.batching.BatcherListener;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.model.LoadedTeacher;
import io.distillery.teacher.model.TeacherLoader;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.task.ServedTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory as a user brings it: a decoder ONNX built by a different route than our
 * exporter ({@link ReferenceDecoder}: opset 20, decomposed LayerNorm, Trilu/Where masking, the Gelu
 * operator), a tokenizer.json and a hand-written card with no DJL parameters and no architecture.
 * It loads through the service's loader and task seam and labels like the model it encodes.
 */
class ReferenceDecoderServingTest {

  private static final int VOCAB = TinyLanguageModel.VOCAB;

  @TempDir static Path tmp;

  private static ReferenceDecoder.Weights trained;
  private static int endOfText;

  @BeforeAll
  static void readTheTrainedWeights() throws Exception {
    Path source = TinyLanguageModel.modelDir();
    try (Model model = TeacherArtifacts.loadPyTorch(source)) {
      trained = ReferenceDecoder.Weights.of((CausalLm) model.getBlock());
    }
    endOfText = TeacherCardFile.read(source).languageModel().tokenizer().endOfTextId();
  }

  @Test
  void anIndependentlyBuiltDecoderLoadsAndLabelsLikeTheModelItEncodes() throws Exception {
    Path dir = userDirectory("reference", trained);
    try (ServedModel served = serve(dir);
        LmReference pytorch = new LmReference(TinyLanguageModel.modelDir(), VOCAB)) {
      assertEquals(Task.TASK_CAUSAL_LM, served.card().getTask());
      assertEquals(Sha256.file(dir.resolve("model.onnx")), served.card().getArtifactSha256());
      assertEquals(Sha256.file(dir.resolve("tokenizer.json")), served.card().getTokenizerSha256());
      assertEquals(TinyLanguageModel.CONTEXT, served.card().getLimits().getMaxSequenceLength());

      List<int[]> prompts =
          List.of(ids(1, 40, 7, 3, 99), ids(250), ids(5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
      LabelResponse response = label(served, request(prompts, VOCAB, null));
      double worst = 0;
      for (int s = 0; s < prompts.size(); s++) {
        int[] prompt = prompts.get(s);
        SampleLabels labels = response.getSamples(s);
        assertEquals(prompt.length, labels.getPositionsCount());
        float[] expected = pytorch.logProbs(prompt);
        for (int p = 0; p < prompt.length; p++) {
          SparseDistribution d = labels.getPositions(p);
          for (int e = 0; e < d.getIdsCount(); e++) {
            worst = Math.max(worst, Math.abs(d.getLogProbs(e) - expected[p * VOCAB + d.getIds(e)]));
          }
        }
      }
      assertTrue(worst <= 1e-4, "max |Δ log p| reference decoder vs PyTorch = " + worst);
    }
  }

  @Test
  void generationStopsAtEndOfText() throws Exception {
    // The final LayerNorm emits a constant aligned with the end-of-text embedding, so every
    // position predicts end-of-text: generation must stop after one token, not run to its budget.
    float[] gamma = new float[trained.finalGamma().length];
    float[] beta = new float[gamma.length];
    for (int i = 0; i < beta.length; i++) {
      beta[i] = 20 * trained.tokenEmbedding()[endOfText * beta.length + i];
    }
    ReferenceDecoder.Weights toEnd =
        new ReferenceDecoder.Weights(
            trained.spec(),
            trained.tokenEmbedding(),
            trained.positionEmbedding(),
            trained.layers(),
            gamma,
            beta);
    try (ServedModel served = serve(userDirectory("ends", toEnd))) {
      int[] prompt = ids(4, 8, 15, 16, 23, 42);
      SampleLabels labels =
          label(
                  served,
                  request(
                      List.of(prompt),
                      3,
                      GenerationSettings.newBuilder().setMaxNewTokens(6).build()))
              .getSamples(0);
      assertEquals(endOfText, labels.getPositions(0).getIds(0), "the fixture predicts EOT");
      assertArrayEquals(
          new int[] {endOfText},
          labels.getGeneratedIdsList().stream().mapToInt(Integer::intValue).toArray());
      assertEquals(prompt.length + 1, labels.getPositionsCount());
    }
  }

  /** A directory with the decoder, our tiny model's tokenizer and a card written by hand. */
  private static Path userDirectory(String name, ReferenceDecoder.Weights weights)
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Path onnx = ReferenceDecoder.write(weights, dir.resolve("model.onnx"));
    Path tokenizer =
        Files.copy(
            TinyLanguageModel.modelDir().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    String tokenizerSha = Sha256.file(tokenizer);
    TeacherCardFile.LanguageModel lm =
        new TeacherCardFile.LanguageModel(
            null,
            VOCAB,
            TinyLanguageModel.CONTEXT,
            List.of("input_ids", "attention_mask"),
            "logits",
            0,
            new TeacherCardFile.Tokenizer(
                "tokenizer.json",
                tokenizerSha,
                "byte-level-bpe",
                VOCAB,
                "<|endoftext|>",
                endOfText,
                null),
            null,
            null);
    new TeacherCardFile(
            "user-decoder",
            "0.1",
            TeacherCardFile.TASK_CAUSAL_LM,
            "user-decoder",
            "input_ids",
            null,
            "logits",
            "logits",
            VOCAB,
            "MIT",
            TeacherCardFile.DISTILLATION_ALLOWED,
            null,
            "generated",
            null,
            Map.of(
                TeacherCardFile.FILE_ONNX,
                new TeacherCardFile.FileEntry(
                    "model.onnx",
                    Sha256.file(onnx),
                    Files.size(onnx),
                    "onnx",
                    ReferenceDecoder.OPSET),
                TeacherCardFile.FILE_TOKENIZER,
                new TeacherCardFile.FileEntry(
                    "tokenizer.json",
                    tokenizerSha,
                    Files.size(tokenizer),
                    "hf-tokenizer-json",
                    null)),
            "2026-12-06T00:00:00Z",
            lm)
        .write(dir);
    return dir;
  }

  private static ServedModel serve(Path dir) throws Exception {
    LoadedTeacher teacher = TeacherLoader.load("OnnxRuntime", dir, 64);
    return ServedTasks.of(teacher.card().getTask())
        .serve(teacher, new Batching(), BatcherListener.NONE);
  }

  private static LabelResponse label(ServedModel served, LabelRequest request) throws Exception {
    served.validateSamples(request);
    return served.label(request, Optional.empty()).get(60, TimeUnit.SECONDS);
  }

  private static int[] ids(int... ids) {
    return ids;
  }

  private static LabelRequest request(
      List<int[]> prompts, int topK, GenerationSettings generation) {
    LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(topK).setTemperature(1f);
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

  /** The service's default batching. */
  private static final class Batching implements TeacherConfig.Batching {
    @Override
    public int maxBatchSize() {
      return 64;
    }

    @Override
    public Duration maxDelay() {
      return Duration.ofMillis(2);
    }

    @Override
    public int queueCapacity() {
      return 512;
    }

    @Override
    public int workers() {
      return 1;
    }
  }
}
