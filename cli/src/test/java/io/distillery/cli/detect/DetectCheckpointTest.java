package io.distillery.cli.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.cli.bench.watermark.QuickStudent;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.Networks;
import io.distillery.models.nn.TopK;
import io.distillery.models.student.StudentModels;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import io.distillery.models.watermark.CosineWatermark;
import io.distillery.models.watermark.WatermarkKey;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.SparseDistribution;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distillery detect --checkpoint}: two students trained with DJL on real Fashion-MNIST and
 * written as Distillery checkpoints (manifest + {@code student.params}, as the trainer writes them)
 * — one distilled from a teacher's marked soft labels, one from the same teacher's clean ones on
 * the same seed. The command, run as a user runs it, detects the first and not the second.
 */
class DetectCheckpointTest {

  private static final int CLASSES = 10;
  private static final double EPSILON = 0.4;
  // A key these small students learn well. (A class-8 key at phase 0.7 was learned less: p = 0.02
  // even with the probes as transfer set.) Power over many keys is the benchmark's subject.
  private static final WatermarkKey KEY =
      new WatermarkKey(
          777L, 784, CLASSES, 4, WatermarkKey.DEFAULT_FREQUENCY, 2.2, WatermarkKey.DEFAULT_GRID);

  @TempDir Path dir;

  @Test
  void aStudentOfMarkedLabelsIsDetectedAndOneOfCleanLabelsIsNot() throws Exception {
    Path data = FashionMnistLocator.locate();
    // The students learn on the probe images themselves (the owner knows what a marked client
    // asked): the mark is then learned where it is probed, so this test checks the checkpoint path
    // without depending on power over held-out images, which the benchmark measures.
    LabeledImages transfer = FashionMnist.test(data);
    // The owner's teacher: the platform's CNN, briefly trained into a teacher directory.
    Path teacherDir = dir.resolve("teacher");
    new TeacherTrainer(
            TeacherTrainingConfig.defaults(data, teacherDir).withSchedule(1, 60),
            new PrintStream(PrintStream.nullOutputStream()))
        .train();
    float[] teacherLogits;
    try (Model teacher = TeacherArtifacts.loadPyTorch(teacherDir)) {
      teacherLogits = new ModelRunner(teacher, new long[] {1, 28, 28}).logits(transfer, 256);
    }
    CosineWatermark mark = new CosineWatermark(KEY, EPSILON);
    List<SparseDistribution> clean = new ArrayList<>();
    List<SparseDistribution> marked = new ArrayList<>();
    float[] input = new float[784];
    float[] row = new float[CLASSES];
    for (int i = 0; i < transfer.size(); i++) {
      System.arraycopy(transfer.images(), i * 784, input, 0, 784);
      System.arraycopy(teacherLogits, i * CLASSES, row, 0, CLASSES);
      clean.add(TopK.of(teacherLogits, i * CLASSES, CLASSES, CLASSES, 1f));
      marked.add(TopK.of(mark.markLogits(input, row).logits(), 0, CLASSES, CLASSES, 1f));
    }
    Path keyFile = dir.resolve("owner.key");
    KEY.write(keyFile);
    Path markedCheckpoint = studentCheckpoint("marked", transfer, marked);
    Path cleanCheckpoint = studentCheckpoint("clean", transfer, clean);

    JsonNode suspect = detect(markedCheckpoint, keyFile, data, teacherDir);
    JsonNode control = detect(cleanCheckpoint, keyFile, data, teacherDir);

    assertTrue(suspect.get("detected").asBoolean(), "marked student: " + suspect);
    assertTrue(suspect.get("p_value").asDouble() < 0.01, suspect.toString());
    assertFalse(control.get("detected").asBoolean(), "clean student: " + control);
    assertTrue(control.get("p_value").asDouble() >= 0.01, control.toString());
    // Every test image not of the key's class was a query.
    int[] probeLabels = FashionMnist.test(data).labels();
    long others = java.util.Arrays.stream(probeLabels).filter(c -> c != KEY.targetClass()).count();
    assertEquals(others, suspect.get("queries").asLong(), suspect.toString());
    assertTrue(suspect.get("suspect").asText().contains("checkpoint"), suspect.toString());
    assertEquals(teacherDir.toString(), suspect.get("reference").asText());
  }

  /** Trains a 784-64-10 student on the soft labels and writes it as a checkpoint. */
  private Path studentCheckpoint(String job, LabeledImages transfer, List<SparseDistribution> soft)
      throws Exception {
    try (QuickStudent student = new QuickStudent(Networks.fashionMlp(0f, 64), 11, 128, 1e-3f)) {
      student.train(transfer, soft, LossSettings.of(Divergence.FORWARD_KL, 1f, 0.5f), 12);
      CheckpointEvent manifest =
          CheckpointEvent.newBuilder()
              .setJobId(job)
              .setStep(1)
              .setSamplesSeen(12L * transfer.size())
              .setStudent(StudentModels.mlp(List.of(1L, 28L, 28L), List.of(64), CLASSES, 0f))
              .setCreatedAtMs(System.currentTimeMillis())
              .build();
      return new CheckpointStore(dir.resolve("checkpoints"))
          .write(manifest, Map.of(StudentModels.PARAMS_FILE, student::writeParameters))
          .dir();
    }
  }

  /**
   * Runs {@code distillery detect --checkpoint DIR --reference TEACHER --json} on the 10,000 test
   * images (the default).
   */
  private static JsonNode detect(Path checkpoint, Path keyFile, Path data, Path teacher)
      throws Exception {
    return DetectRun.json(
        "--checkpoint",
        checkpoint.toString(),
        "--key",
        keyFile.toString(),
        "--data",
        data.toString(),
        "--reference",
        teacher.toString(),
        "--probes",
        "10000",
        "--null-keys",
        "999");
  }
}
