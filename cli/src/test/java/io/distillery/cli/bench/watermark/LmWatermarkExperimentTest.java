package io.distillery.cli.bench.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.StudentSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A small version of the LM watermark experiment with DJL: a tiny teacher LM is trained here on
 * text from a sparse random Markov chain (seconds); tiny students distilled from its marked soft
 * labels are detected at p &lt; 0.01 (tested relative to the unmarked teacher, as its owner would),
 * students distilled from its unmarked labels or trained on the text's next tokens are not, and the
 * mark keeps the teacher's top-1 token.
 */
class LmWatermarkExperimentTest {

  private static final int VOCAB = 256;
  private static final int LENGTH = 32;

  /** Text from a Markov chain where each token has 4 likely successors. */
  private static List<int[]> markovWindows(int count, long seed) {
    SplittableRandom chain = new SplittableRandom(12345);
    int[][] next = new int[VOCAB][4];
    for (int[] successors : next) {
      for (int j = 0; j < 4; j++) {
        successors[j] = chain.nextInt(VOCAB);
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> windows = new ArrayList<>();
    for (int w = 0; w < count; w++) {
      int[] ids = new int[LENGTH];
      ids[0] = random.nextInt(VOCAB);
      for (int t = 1; t < LENGTH; t++) {
        ids[t] =
            random.nextInt(10) == 0
                ? random.nextInt(VOCAB)
                : next[ids[t - 1]][
                    Math.min(3, (int) (random.nextDouble() * random.nextDouble() * 5))];
      }
      windows.add(ids);
    }
    return windows;
  }

  @Test
  void markedStudentsAreDetectedAndControlsAreNot() {
    List<int[]> transfer = markovWindows(192, 1);
    List<int[]> probes = markovWindows(48, 2);
    long[] bytes = new long[probes.size()];
    Arrays.fill(bytes, LENGTH - 1);
    StudentSpec teacherSpec = StudentModels.transformer(VOCAB, LENGTH, 1, 32, 2, 0, "");
    LmWatermarkExperiment.Settings settings =
        new LmWatermarkExperiment.Settings(
            2, // students per condition
            100, // steps
            16, // batch
            0.01f, // learning rate
            1, // layers
            32, // width
            2, // heads
            0.5, // ε, the teacher-service default
            32, // top-k
            999, // null keys
            5, // seed
            List.of(), 0);
    LmWatermarkExperiment.Report report;
    try (LmQuickStudent teacher = new LmQuickStudent(teacherSpec, 11, 16, 0.01f)) {
      teacher.train(transfer, null, LossSettings.of(Divergence.FORWARD_KL, 1f, 1f), 150);
      report =
          new LmWatermarkExperiment(settings, new PrintStream(PrintStream.nullOutputStream()))
              .run(teacher.runner(), VOCAB, transfer, probes, bytes);
    }
    for (LmWatermarkExperiment.Outcome o : report.of(LmWatermarkExperiment.Condition.MARKED)) {
      assertTrue(o.result().detected(), "marked student " + o.student() + ": " + o.result());
    }
    for (LmWatermarkExperiment.Condition control :
        List.of(LmWatermarkExperiment.Condition.CLEAN, LmWatermarkExperiment.Condition.HARD)) {
      assertEquals(2, report.of(control).size());
      for (LmWatermarkExperiment.Outcome o : report.of(control)) {
        assertFalse(o.result().detected(), control + " student " + o.student() + ": " + o.result());
      }
    }
    LmWatermarkExperiment.TeacherQuality quality = report.teacher().get(0);
    assertEquals(1.0, quality.meanTopOneAgreement(), 1e-12, "the mark keeps the top-1 token");
    assertTrue(quality.meanPerturbation() > 0 && quality.meanPerturbation() <= Math.tanh(0.25));
  }
}
