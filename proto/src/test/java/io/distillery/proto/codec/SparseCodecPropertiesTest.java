package io.distillery.proto.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.distillery.proto.v1.SparseDistribution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link SparseCodec} over thousands of generated cases (seeded, so a failure names
 * its case and repeats): valid distributions round-trip within fp16's rounding, and whatever bytes
 * are decoded — valid, mutated, truncated — what comes out has distinct non-negative ids, log-probs
 * at most 0 and a tail mass in [0, 1], or decoding is refused with an IllegalArgumentException.
 * Plain JUnit: pure logic. The fuzz tests in {@code io.distillery.proto.fuzz} search the same
 * properties with coverage guidance.
 */
class SparseCodecPropertiesTest {

  private static final int CASES = 3_000;

  @Test
  void everyValidDistributionRoundTripsWithinFp16Rounding() {
    Random random = new Random(16);
    for (int c = 0; c < CASES; c++) {
      List<SparseDistribution> original = randomPositions(random);
      List<SparseDistribution> decoded =
          SparseCodec.decode(SparseCodec.encode(original), original.size());
      assertEquals(original.size(), decoded.size(), "case " + c);
      for (int p = 0; p < original.size(); p++) {
        assertSameWithinRounding(original.get(p), decoded.get(p), "case " + c + " position " + p);
      }
    }
  }

  @Test
  void decodedTailMassIsAlwaysInZeroOne() {
    forEveryDecodedDistribution(
        (distribution, where) -> {
          float tail = distribution.getTailMass();
          assertTrue(tail >= 0f && tail <= 1f, where + ": tail mass " + tail);
        });
  }

  @Test
  void decodedIdsAreStrictlyIncreasingInTheirEncodedOrder() {
    forEveryDecodedDistribution(
        (distribution, where) -> {
          int[] ids = distribution.getIdsList().stream().mapToInt(Integer::intValue).toArray();
          java.util.Arrays.sort(ids); // decode lists them most probable first; encoded ascending
          for (int i = 0; i < ids.length; i++) {
            assertTrue(ids[i] >= 0, where + ": negative id " + ids[i]);
            assertTrue(i == 0 || ids[i] > ids[i - 1], where + ": ids " + distribution.getIdsList());
          }
          for (float logProb : distribution.getLogProbsList()) {
            assertTrue(logProb <= 0f, where + ": log-prob " + logProb);
          }
        });
  }

  private interface Check {
    void check(SparseDistribution distribution, String where);
  }

  /** Decodes valid encodings and mutations of them; checks every distribution that comes out. */
  private static void forEveryDecodedDistribution(Check check) {
    Random random = new Random(61);
    int decodedCases = 0;
    int refused = 0;
    for (int c = 0; c < CASES; c++) {
      List<SparseDistribution> original = randomPositions(random);
      byte[] bytes = mutate(random, SparseCodec.encode(original), c % 4);
      int positions = c % 7 == 6 ? random.nextInt(6) : original.size();
      List<SparseDistribution> decoded;
      try {
        decoded = SparseCodec.decode(bytes, positions);
      } catch (IllegalArgumentException e) {
        refused++;
        continue;
      } catch (RuntimeException e) {
        fail("case " + c + ": decode threw " + e, e);
        return;
      }
      decodedCases++;
      for (int p = 0; p < decoded.size(); p++) {
        check.check(decoded.get(p), "case " + c + " position " + p);
      }
    }
    // Both outcomes must have been exercised, or the property proved nothing.
    assertTrue(decodedCases > CASES / 4, "decoded " + decodedCases);
    assertTrue(refused > CASES / 20, "refused " + refused);
  }

  /** Mode 0 leaves the bytes valid; 1 flips bytes; 2 truncates; 3 writes random bytes. */
  private static byte[] mutate(Random random, byte[] bytes, int mode) {
    byte[] out = bytes.clone();
    switch (mode) {
      case 1 -> {
        for (int i = 0, n = 1 + random.nextInt(3); i < n && out.length > 0; i++) {
          out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
      }
      case 2 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length + 1));
      case 3 -> random.nextBytes(out);
      default -> {}
    }
    return out;
  }

  private static List<SparseDistribution> randomPositions(Random random) {
    List<SparseDistribution> positions = new ArrayList<>();
    for (int p = 0, n = 1 + random.nextInt(4); p < n; p++) {
      positions.add(randomDistribution(random));
    }
    return positions;
  }

  /**
   * Top k of a random softmax over up to 70,000 classes (large ids need multi-byte varints),
   * sometimes with extreme logits (log-probs beyond fp16's range become minus infinity).
   */
  private static SparseDistribution randomDistribution(Random random) {
    int classes = 1 + random.nextInt(random.nextBoolean() ? 12 : 70_000);
    int k = 1 + random.nextInt(Math.min(classes, 16));
    double scale = random.nextInt(10) == 0 ? 1e5 : 3;
    Map<Integer, Double> logits = new HashMap<>();
    while (logits.size() < k) {
      logits.put(random.nextInt(classes), random.nextGaussian() * scale);
    }
    double max = logits.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    // The rest of the classes: logits near 0 on the same scale as the kept ones.
    double rest = classes == k ? 0 : (classes - k) * Math.exp(Math.min(700, -max));
    double sum = rest + logits.values().stream().mapToDouble(l -> Math.exp(l - max)).sum();
    SparseDistribution.Builder builder = SparseDistribution.newBuilder();
    double kept = 0;
    for (Map.Entry<Integer, Double> entry : logits.entrySet()) {
      double logProb = entry.getValue() - max - Math.log(sum);
      kept += Math.exp(logProb);
      builder.addIds(entry.getKey()).addLogProbs((float) Math.min(0, logProb));
    }
    return builder.setTailMass((float) Math.min(1, Math.max(0, 1 - kept))).build();
  }

  private static void assertSameWithinRounding(
      SparseDistribution a, SparseDistribution b, String where) {
    assertEquals(a.getIdsCount(), b.getIdsCount(), where);
    for (int i = 0; i < a.getIdsCount(); i++) {
      int j = b.getIdsList().indexOf(a.getIds(i));
      assertTrue(j >= 0, where + ": id " + a.getIds(i) + " lost");
      float expected = a.getLogProbs(i);
      float actual = b.getLogProbs(j);
      if (expected < -65504f) {
        assertEquals(Float.NEGATIVE_INFINITY, actual, where + ": beyond fp16's range");
      } else {
        assertEquals(expected, actual, Math.abs(expected) * 1e-3 + 1e-4, where);
      }
    }
    assertEquals(a.getTailMass(), b.getTailMass(), a.getTailMass() * 1e-3 + 1e-7, where);
  }
}
