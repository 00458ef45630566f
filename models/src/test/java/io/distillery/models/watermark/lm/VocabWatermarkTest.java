package io.distillery.models.watermark.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LM mark keeps a distribution, moves the group-1 log-odds by exactly 2b with |b| ≤ ε, is
 * bounded, deterministic per key, keeps the top-1 token; the detector finds it in a model that
 * carries it and not in one that does not.
 */
class VocabWatermarkTest {

  private static final int V = 64;
  private static final double EPSILON = 0.3;
  private static final LmWatermarkKey KEY = new LmWatermarkKey(7L, V, 1.0, 0.4, 1);

  private static int[] tokens(SplittableRandom random, int length) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = random.nextInt(V);
    }
    return ids;
  }

  /** A toy LM: logits of the next token a fixed random function of the current token. */
  private static float[] toyLogits(int[] ids, long seed) {
    float[] logits = new float[ids.length * V];
    for (int p = 0; p < ids.length; p++) {
      SplittableRandom row = new SplittableRandom(seed * 1_000_003L + ids[p]);
      for (int i = 0; i < V; i++) {
        logits[p * V + i] = (float) (row.nextGaussian() * 2.5);
      }
    }
    return logits;
  }

  private static double[] softmax(float[] logits, int offset) {
    return VocabWatermark.softmax(logits, offset, V);
  }

  private static double groupLogOdds(double[] p, boolean[] one) {
    double first = 0;
    for (int i = 0; i < p.length; i++) {
      first += one[i] ? p[i] : 0;
    }
    return Math.log(first / (1 - first));
  }

  @Test
  void markedOutputsAreBoundedDistributionsWithTheTopTokenKept() {
    VocabWatermark mark = new VocabWatermark(KEY, EPSILON);
    boolean[] one = KEY.groupOne();
    assertEquals(V / 2, countTrue(one), "the vocabulary splits into two equal groups");
    SplittableRandom random = new SplittableRandom(1);
    int capped = 0;
    int positions = 0;
    for (int trial = 0; trial < 50; trial++) {
      int[] ids = tokens(random, 40);
      float[] logits = toyLogits(ids, 3);
      VocabWatermark.Marked marked = mark.markSequence(ids, logits);
      double largest = 0;
      for (int p = 0; p < ids.length; p++, positions++) {
        double[] before = softmax(logits, p * V);
        double[] after = softmax(marked.logits(), p * V);
        assertEquals(1.0, Arrays.stream(after).sum(), 1e-9);
        for (int i = 0; i < V; i++) {
          assertTrue(Float.isFinite(marked.logits()[p * V + i]));
        }
        assertEquals(
            VocabWatermark.argmax(logits, p * V, V),
            VocabWatermark.argmax(marked.logits(), p * V, V),
            "top-1 token kept");
        double shift = groupLogOdds(after, one) - groupLogOdds(before, one);
        double wanted = 2 * EPSILON * KEY.signal(KEY.hash(ids, p));
        assertTrue(Math.abs(shift) <= Math.abs(wanted) + 1e-5, "the shift never exceeds 2ε·cos");
        assertTrue(Math.signum(shift) == Math.signum(wanted) || Math.abs(shift) < 1e-6);
        if (Math.abs(shift) < Math.abs(wanted) - 1e-4) {
          capped++;
        }
        for (int i = 0; i < V; i++) {
          largest = Math.max(largest, Math.abs(after[i] - before[i]));
        }
      }
      assertEquals(largest, marked.perturbation(), 1e-6, "the reported perturbation is exact");
      // The group-1 mass is a sigmoid of the log-odds, which move by at most 2ε.
      assertTrue(marked.perturbation() <= Math.tanh(EPSILON / 2) + 1e-9);
      assertTrue(marked.perturbation() > 0);
    }
    assertTrue(capped < positions / 2, "the top-1 cap binds at few positions: " + capped);
  }

  @Test
  void theCapKeepsATopTokenThatWouldLose() {
    // Top-1 in group 2 by a hair over the best of group 1, signal pushing group 1 up.
    boolean[] one = KEY.groupOne();
    int a = indexOf(one, false);
    int b = indexOf(one, true);
    int[] ids = new int[1];
    for (int token = 0; token < V; token++) {
      ids[0] = token;
      if (KEY.signal(KEY.hash(ids, 0)) > 0.5) {
        break;
      }
    }
    assertTrue(KEY.signal(KEY.hash(ids, 0)) > 0.5);
    float[] logits = new float[V];
    Arrays.fill(logits, -5f);
    logits[a] = 1.00f;
    logits[b] = 0.98f;
    VocabWatermark.Marked marked = new VocabWatermark(KEY, EPSILON).markSequence(ids, logits);
    assertEquals(a, VocabWatermark.argmax(marked.logits(), 0, V));
    assertTrue(marked.logits()[b] > logits[b], "group 1 still gains, within the gap");
  }

  @Test
  void deterministicPerKeyAndDifferentAcrossKeys() {
    int[] ids = tokens(new SplittableRandom(5), 30);
    float[] logits = toyLogits(ids, 9);
    float[] first = new VocabWatermark(KEY, EPSILON).markSequence(ids, logits).logits();
    float[] again =
        new VocabWatermark(new LmWatermarkKey(7L, V, 1.0, 0.4, 1), EPSILON)
            .markSequence(ids, logits)
            .logits();
    assertArrayEquals(first, again);
    float[] other =
        new VocabWatermark(KEY.withSeed(8L), EPSILON).markSequence(ids, logits).logits();
    assertFalse(Arrays.equals(first, other));
    assertFalse(Arrays.equals(KEY.groupOne(), KEY.withSeed(8L).groupOne()));
  }

  @Test
  void keyFilesRoundTripAndAClassifierKeyIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("lm.key");
    KEY.write(file);
    assertTrue(LmWatermarkKey.isLmKey(file));
    assertEquals(KEY, LmWatermarkKey.read(file));
    assertFalse(KEY.toString().contains("7"), "the seed stays out of logs");
    Path classifier = dir.resolve("cls.key");
    Files.writeString(classifier, "seed=1\ninput-size=784\nclasses=10\n");
    assertFalse(LmWatermarkKey.isLmKey(classifier));
    IOException e = assertThrows(IOException.class, () -> LmWatermarkKey.read(classifier));
    assertTrue(e.getMessage().contains("not a causal-lm key"), e.getMessage());
  }

  @Test
  void detectorFindsTheMarkOnlyWhereItWasPlanted() {
    SplittableRandom random = new SplittableRandom(11);
    List<int[]> windows = new ArrayList<>();
    for (int w = 0; w < 20; w++) {
      windows.add(tokens(random, 32));
    }
    VocabWatermark mark = new VocabWatermark(KEY, EPSILON);
    List<float[]> marked = new ArrayList<>();
    List<float[]> clean = new ArrayList<>();
    for (int[] ids : windows) {
      float[] logits = toyLogits(ids, 3);
      marked.add(probabilities(mark.markSequence(ids, logits).logits()));
      clean.add(probabilities(logits));
    }
    LmWatermarkDetector detector = new LmWatermarkDetector(KEY, 199, 0.01);
    LmWatermarkDetector.Result found = detector.test(windows, marked);
    assertTrue(found.detected(), "p = " + found.pValue());
    assertEquals(640, found.positions());
    LmWatermarkDetector.Result none = detector.test(windows, clean);
    assertFalse(none.detected(), "p = " + none.pValue());
    // Relative to the unmarked model: the shared log-odds cancel, the mark stands out more.
    LmWatermarkDetector.Result relative = detector.test(windows, marked, clean);
    assertTrue(relative.detected() && relative.statistic() > found.statistic(), "" + relative);
    assertFalse(detector.test(windows, clean, clean).detected(), "nothing left when equal");
    LmWatermarkDetector.Result otherKey =
        new LmWatermarkDetector(KEY.withSeed(99L), 199, 0.01).test(windows, marked);
    assertFalse(otherKey.detected(), "another key's test: p = " + otherKey.pValue());
  }

  private static float[] probabilities(float[] logits) {
    float[] p = new float[logits.length];
    for (int offset = 0; offset < logits.length; offset += V) {
      double[] row = softmax(logits, offset);
      for (int i = 0; i < V; i++) {
        p[offset + i] = (float) row[i];
      }
    }
    return p;
  }

  private static int indexOf(boolean[] one, boolean value) {
    for (int i = 0; i < one.length; i++) {
      if (one[i] == value) {
        return i;
      }
    }
    throw new AssertionError();
  }

  private static int countTrue(boolean[] one) {
    int n = 0;
    for (boolean b : one) {
      n += b ? 1 : 0;
    }
    return n;
  }
}
