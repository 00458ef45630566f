package io.distillery.cli.bench.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.cli.data.DataOptions;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.detect.DetectRun;
import io.distillery.cli.detect.TinyLanguageModel;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.TopK;
import io.distillery.models.student.StudentModels;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import io.distillery.models.watermark.lm.VocabWatermark;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.StudentSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distillery detect --checkpoint} with a causal-lm key: a tiny LM teacher (trained by our
 * pipeline, ONNX) labels windows of Jane Austen's training novels; two transformer students (same
 * seed) are distilled with DJL from its marked and from its unmarked top-k soft labels and written
 * as Distillery checkpoints (manifest + {@code student.params}, as the trainer writes them). The
 * command, given the checkpoint, the key and the teacher as reference, detects the marked student
 * and not the clean one on the held-out novel.
 */
class LmDetectCheckpointTest {

  static final int VOCAB = TinyLanguageModel.VOCAB;
  static final int LENGTH = TinyLanguageModel.CONTEXT;
  static final double EPSILON = 0.5; // the teacher-service default
  static final LmWatermarkKey KEY =
      new LmWatermarkKey(
          777L, VOCAB, LmWatermarkKey.DEFAULT_FREQUENCY, 2.2, LmWatermarkKey.DEFAULT_CONTEXT);

  @TempDir Path dir;

  @Test
  void theMarkedStudentsCheckpointIsDetectedAndTheCleanOneIsNot() throws Exception {
    Path teacherDir = TinyLanguageModel.train(dir.resolve("tiny-lm"));
    List<int[]> transfer = trainingWindows(teacherDir, 192);
    List<float[]> logits;
    Model teacher = TeacherArtifacts.loadOnnx(teacherDir, Map.of());
    try {
      logits = LmWatermarkExperiment.logits(new LmRunner(teacher), transfer);
    } finally {
      teacher.close();
    }
    VocabWatermark mark = new VocabWatermark(KEY, EPSILON);
    List<List<SparseDistribution>> clean = new ArrayList<>();
    List<List<SparseDistribution>> marked = new ArrayList<>();
    for (int w = 0; w < transfer.size(); w++) {
      clean.add(topK(logits.get(w)));
      marked.add(topK(mark.markSequence(transfer.get(w), logits.get(w)).logits()));
    }
    Path keyFile = dir.resolve("owner-lm.key");
    KEY.write(keyFile);
    Path markedCheckpoint = studentCheckpoint("marked", transfer, marked);
    Path cleanCheckpoint = studentCheckpoint("clean", transfer, clean);

    JsonNode suspect = detect(markedCheckpoint, keyFile, teacherDir);
    JsonNode control = detect(cleanCheckpoint, keyFile, teacherDir);
    System.err.println("marked: " + suspect + "\nclean: " + control);
    assertTrue(suspect.get("detected").asBoolean(), "marked: " + suspect);
    assertTrue(suspect.get("p_value").asDouble() < 0.01, suspect.toString());
    assertFalse(control.get("detected").asBoolean(), "clean: " + control);
    assertTrue(control.get("p_value").asDouble() >= 0.01, control.toString());
    assertEquals("lm", suspect.get("track").asText());
    assertEquals(48, suspect.get("queries").asInt(), suspect.toString());
    assertTrue(suspect.get("suspect").asText().contains("LM checkpoint"), suspect.toString());
    assertEquals(teacherDir.toString(), suspect.get("reference").asText());
  }

  /** Windows of the training novels (not the held-out one the probes come from). */
  private static List<int[]> trainingWindows(Path tokenizerDir, int count) throws Exception {
    // Where detect finds the novels too: the installed package, else the CLI's cache.
    Path austen =
        JaneAustenData.locateOrFetch(
            new DataOptions().cacheDir(), new PrintStream(PrintStream.nullOutputStream()));
    String text = JaneAusten.training(austen).documents().get(0).text();
    List<int[]> windows = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerDir)) {
      long[] ids = tokenizer.encode(text.substring(0, Math.min(text.length(), 60_000)));
      for (int start = 0; start + LENGTH <= ids.length && windows.size() < count; ) {
        int[] window = new int[LENGTH];
        window[0] = tokenizer.endOfTextId();
        for (int i = 1; i < LENGTH; i++) {
          window[i] = (int) ids[start + i - 1];
        }
        windows.add(window);
        start += LENGTH - 1;
      }
    }
    assertEquals(count, windows.size(), "enough training text");
    return windows;
  }

  private static List<SparseDistribution> topK(float[] logits) {
    List<SparseDistribution> positions = new ArrayList<>(LENGTH);
    for (int t = 0; t < LENGTH; t++) {
      positions.add(TopK.of(logits, t * VOCAB, VOCAB, 32, 1f));
    }
    return positions;
  }

  /** Distils a tiny transformer from the soft labels and writes it as a checkpoint. */
  private Path studentCheckpoint(
      String job, List<int[]> transfer, List<List<SparseDistribution>> soft) throws Exception {
    StudentSpec spec = StudentModels.transformer(VOCAB, LENGTH, 1, 32, 2, 0, "");
    try (LmQuickStudent student = new LmQuickStudent(spec, 11, 16, 0.01f)) {
      student.train(transfer, soft::get, LossSettings.of(Divergence.FORWARD_KL, 1f, 0f), 150);
      CheckpointEvent manifest =
          CheckpointEvent.newBuilder()
              .setJobId(job)
              .setStep(150)
              .setSamplesSeen(150L * 16)
              .setStudent(spec)
              .setCreatedAtMs(System.currentTimeMillis())
              .build();
      return new CheckpointStore(dir.resolve("checkpoints"))
          .write(manifest, Map.of(StudentModels.PARAMS_FILE, student::writeParameters))
          .dir();
    }
  }

  /**
   * Runs {@code distillery detect --checkpoint DIR --key K --reference TEACHER --json} on 48
   * held-out windows of the tiny model's context.
   */
  private static JsonNode detect(Path checkpoint, Path keyFile, Path teacher) throws Exception {
    return DetectRun.json(
        "--checkpoint",
        checkpoint.toString(),
        "--key",
        keyFile.toString(),
        "--reference",
        teacher.toString(),
        "--probe-windows",
        "48",
        "--window-tokens",
        "" + LENGTH,
        "--null-keys",
        "999");
  }
}
