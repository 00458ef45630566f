package io.distillery.models.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.digest.Sha256;
import io.distillery.models.nn.ModelRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains the real teacher for a few batches on real data, once for the whole class, and checks the
 * model directory it writes.
 */
class TeacherTrainerTest {
  private static final int BATCHES = 40;

  @TempDir static Path outputDir;

  private static TrainingReport report;
  private static String log;

  @BeforeAll
  static void trainAFewBatches() throws Exception {
    TeacherTrainer.applyRuntimeDefaults();
    TeacherTrainingConfig config =
        TeacherTrainingConfig.defaults(FashionMnistLocator.locate(), outputDir)
            .withSchedule(1, BATCHES);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    report = new TeacherTrainer(config, new PrintStream(out, true, StandardCharsets.UTF_8)).train();
    log = out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void lossFallsOnRealData() {
    float[] losses = report.batchLosses();
    assertEquals(BATCHES, losses.length);
    double first = mean(losses, 0, 5);
    double last = mean(losses, BATCHES - 5, BATCHES);
    assertTrue(first > 2.0, "initial loss near ln 10, was " + first);
    assertTrue(last < first - 0.5, "loss should fall: first 5 " + first + ", last 5 " + last);
    // Even 40 batches beat chance (10%) by far.
    assertTrue(report.testAccuracy() > 0.5, "test accuracy " + report.testAccuracy());
  }

  @Test
  void printsProgressAndTheTestResult() {
    assertTrue(log.contains("epoch 1/1: loss"), log);
    assertTrue(log.contains("samples/s"), log);
    assertTrue(log.contains("test: " + report.testErrors() + " errors of 10000"), log);
  }

  @Test
  void writesACompleteModelDirectory() throws Exception {
    assertTrue(Files.isRegularFile(outputDir.resolve("model.onnx")));
    assertTrue(Files.isRegularFile(outputDir.resolve("teacher-0001.params")));
    TeacherCardFile card = TeacherCardFile.read(outputDir);
    assertEquals(report.card(), card);
    assertEquals("fashion-cnn", card.id());
    assertEquals("classification", card.task());
    assertEquals(List.of(1L, 28L, 28L), card.inputShape());
    assertEquals(10, card.outputSize());
    assertEquals("Apache-2.0", card.licenseSpdx());
    assertEquals("allowed", card.distillation());
    assertEquals(FashionMnist.CLASS_NAMES, card.classNames());
    assertEquals("logits", card.output());
    assertEquals(report.testErrors(), card.training().testErrors());
    assertEquals(55_000, card.training().trainSamples());
    assertEquals(Sha256.file(outputDir.resolve("model.onnx")), card.file("onnx").sha256());
    assertEquals(13, card.file("onnx").opset());
    assertEquals(card, TeacherArtifacts.checkFiles(outputDir));
    String json = Files.readString(outputDir.resolve(TeacherCardFile.FILE_NAME));
    assertTrue(json.contains("\"license_spdx\" : \"Apache-2.0\""), json);
    assertTrue(json.contains("\"class_names\""), json);
  }

  @Test
  void onnxRuntimeAndPyTorchGiveTheSameLogProbsOnRealTestImages() throws Exception {
    LabeledImages test = FashionMnist.test(FashionMnistLocator.locate()).head(1000);
    TeacherVerifier.Report r = TeacherVerifier.verify(outputDir, test, 64, 3);
    assertEquals(1000, r.images());
    assertTrue(r.maxAbsLogProbDiff() < 1e-4, "max |Δ log p| " + r.maxAbsLogProbDiff());
    assertEquals(0, r.argMaxDisagreements());
    assertEquals(r.pytorchErrors(), r.onnxErrors());
  }

  @Test
  void reloadedParametersReproduceTheTestErrors() throws Exception {
    LabeledImages test = FashionMnist.test(FashionMnistLocator.locate());
    try (Model model = TeacherArtifacts.loadPyTorch(outputDir)) {
      ModelRunner runner = new ModelRunner(model, new long[] {1, 28, 28});
      assertEquals(report.testErrors(), runner.errors(test, 64));
      float[] once = runner.forward(test.head(4).images(), 4);
      assertArrayEquals(once, runner.forward(test.head(4).images(), 4)); // dropout is off
    }
  }

  @Test
  void checkFilesNamesATamperedFile(@TempDir Path copy) throws Exception {
    for (String name : List.of("teacher-card.json", "model.onnx", "teacher-0001.params")) {
      Files.copy(outputDir.resolve(name), copy.resolve(name));
    }
    Files.write(copy.resolve("model.onnx"), new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> TeacherArtifacts.checkFiles(copy));
    assertTrue(e.getMessage().contains("model.onnx: sha256"), e.getMessage());
  }

  private static double mean(float[] values, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += values[i];
    }
    return sum / (to - from);
  }
}
