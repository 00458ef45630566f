package io.distillery.cli.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.cli.DistilleryCommand;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.teacher.TeacherTrainingConfig;
import io.distillery.models.teacher.TrainingReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Trains the real teacher for a handful of batches on real data. */
class TeacherTrainCommandTest {

  @Test
  void writesALoadableModelDirectory(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("teacher");
    int code =
        new CommandLine(new DistilleryCommand())
            .execute(
                "teacher",
                "train",
                "--out",
                out.toString(),
                "--epochs",
                "1",
                "--max-batches",
                "4",
                "--validation",
                "0",
                "--no-verify",
                "--id",
                "test-teacher");
    assertEquals(0, code);
    TeacherCardFile card = TeacherArtifacts.checkFiles(out);
    assertEquals("test-teacher", card.id());
    assertEquals("fashion-cnn", card.network());
    assertTrue(Files.isRegularFile(out.resolve(TeacherCardFile.FILE_NAME)));
    try (Model model = TeacherArtifacts.loadPyTorch(out)) {
      assertTrue(model.getBlock().isInitialized());
    }
  }

  @Test
  void trainShowsAProgressBarPerEpochAndReturnsTheReport(@TempDir Path dir) throws Exception {
    TeacherTrainingConfig config =
        TeacherTrainingConfig.defaults(FashionMnistLocator.locate(), dir).withSchedule(2, 3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    TrainingReport report = TeacherTrainCommand.train(config, out);
    TeacherTrainCommand.printSummary(out, report);
    String log = bytes.toString(StandardCharsets.UTF_8);

    assertEquals(2, report.epochs().size());
    assertEquals(3, report.epochs().get(0).batches());
    assertTrue(log.contains("Epoch 1/2 100%"), log);
    assertTrue(log.contains("384/384 images"), log);
    assertTrue(log.contains("loss "), log);
    assertTrue(log.indexOf("Epoch 2/2") > log.indexOf("epoch 1/2: loss"), log);
    assertTrue(log.contains("Model directory: " + dir.toAbsolutePath().normalize()), log);
    assertTrue(log.contains("teacher-card.json"), log);
    assertTrue(log.contains("model.onnx"), log);
    assertTrue(log.contains("test accuracy"), log);
  }
}
