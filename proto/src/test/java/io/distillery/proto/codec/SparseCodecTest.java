package io.distillery.proto.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.SparseDistribution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pure codec logic: plain JUnit. */
class SparseCodecTest {

  /** A random softmax over {@code classes}, truncated to its top {@code k}. */
  private static SparseDistribution topK(Random random, int classes, int k) {
    double[] logits = new double[classes];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < classes; i++) {
      logits[i] = random.nextGaussian() * 3;
      max = Math.max(max, logits[i]);
    }
    double sum = 0;
    for (double logit : logits) {
      sum += Math.exp(logit - max);
    }
    Integer[] order = new Integer[classes];
    for (int i = 0; i < classes; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
    SparseDistribution.Builder builder = SparseDistribution.newBuilder();
    double kept = 0;
    for (int i = 0; i < k; i++) {
      double logProb = logits[order[i]] - max - Math.log(sum);
      kept += Math.exp(logProb);
      builder.addIds(order[i]).addLogProbs((float) logProb);
    }
    return builder.setTailMass((float) Math.max(0, 1 - kept)).build();
  }

  private static void assertRoundTrip(
      List<SparseDistribution> original, List<SparseDistribution> decoded) {
    assertEquals(original.size(), decoded.size());
    for (int p = 0; p < original.size(); p++) {
      SparseDistribution a = original.get(p);
      SparseDistribution b = decoded.get(p);
      assertEquals(a.getIdsCount(), b.getIdsCount());
      for (int i = 0; i < a.getIdsCount(); i++) {
        int j = b.getIdsList().indexOf(a.getIds(i));
        assertTrue(j >= 0, "id " + a.getIds(i) + " lost at position " + p);
        float expected = (float) Math.exp(a.getLogProbs(i));
        float actual = (float) Math.exp(b.getLogProbs(j));
        // fp16 keeps 11 significant bits: about 0.05% relative error on the log-prob.
        assertEquals(a.getLogProbs(i), b.getLogProbs(j), Math.abs(a.getLogProbs(i)) * 1e-3 + 1e-4);
        assertEquals(expected, actual, expected * 0.02 + 1e-6);
      }
      assertEquals(a.getTailMass(), b.getTailMass(), a.getTailMass() * 1e-3 + 1e-7);
      for (int i = 1; i < b.getLogProbsCount(); i++) {
        assertTrue(b.getLogProbs(i - 1) >= b.getLogProbs(i), "decoded not most-probable-first");
      }
    }
  }

  @Test
  void theQuantizedFormatKeepsSixteenOfFiveHundredTwelveTokensInUnderTwoAndAHalfBytesEach() {
    Random random = new Random(17);
    List<SparseDistribution> positions = new ArrayList<>();
    for (int p = 0; p < 400; p++) {
      positions.add(topK(random, 512, 16));
    }
    byte[] quantized = SparseCodec.encode(positions, SparseCodec.Format.QUANTIZED);
    byte[] fp16 = SparseCodec.encode(positions, SparseCodec.Format.FP16);
    double bytesPerEntry = quantized.length / (400.0 * 16);
    System.out.printf(
        "k=16 of 512: quantized %.2f B/entry (%.1f B/position), fp16 %.2f B/entry%n",
        bytesPerEntry, quantized.length / 400.0, fp16.length / (400.0 * 16));
    assertTrue(bytesPerEntry <= 2.5, bytesPerEntry + " bytes per kept entry");

    List<SparseDistribution> decoded =
        SparseCodec.decode(quantized, 400, SparseCodec.Format.QUANTIZED);
    double kl = 0;
    double worst = 0;
    for (int p = 0; p < 400; p++) {
      double one = klAfterRenormalising(positions.get(p), decoded.get(p));
      kl += one;
      worst = Math.max(worst, one);
    }
    System.out.printf(
        "quantisation cost: mean KL %.2e nats/position, worst %.2e%n", kl / 400, worst);
    assertTrue(kl / 400 <= 1e-3, "mean KL " + kl / 400);
    assertTrue(worst < 5e-3, "worst KL " + worst);
  }

  @Test
  void theFormatFieldNamesTheCodecAndUnknownValuesAreRefused() {
    assertEquals(SparseCodec.Format.FP16, SparseCodec.Format.of(0));
    assertEquals(SparseCodec.Format.FP16, SparseCodec.Format.of(1));
    assertEquals(SparseCodec.Format.QUANTIZED, SparseCodec.Format.of(2));
    assertThrows(IllegalArgumentException.class, () -> SparseCodec.Format.of(3));
    List<SparseDistribution> one = List.of(topK(new Random(1), 10, 10));
    List<SparseDistribution> back =
        SparseCodec.decode(
            SparseCodec.encode(one, SparseCodec.Format.QUANTIZED), 1, SparseCodec.Format.QUANTIZED);
    assertEquals(one.get(0).getIdsList(), back.get(0).getIdsList(), "most probable first");
  }

  /** KL(original ‖ decoded) over the kept entries and the tail, each side summing to 1. */
  private static double klAfterRenormalising(SparseDistribution a, SparseDistribution b) {
    double sumA = a.getTailMass();
    double sumB = b.getTailMass();
    for (int i = 0; i < a.getIdsCount(); i++) {
      sumA += Math.exp(a.getLogProbs(i));
      sumB += Math.exp(b.getLogProbs(i));
    }
    double kl = 0;
    for (int i = 0; i < a.getIdsCount(); i++) {
      double p = Math.exp(a.getLogProbs(i)) / sumA;
      int j = b.getIdsList().indexOf(a.getIds(i));
      double q = Math.exp(b.getLogProbs(j)) / sumB;
      kl += p * Math.log(p / q);
    }
    double pTail = a.getTailMass() / sumA;
    double qTail = b.getTailMass() / sumB;
    if (pTail > 0) {
      kl += pTail * Math.log(pTail / qTail);
    }
    return kl;
  }

  @Test
  void roundTripsAllClassesOfAClassifierAndPrintsItsSize() {
    Random random = new Random(1);
    List<SparseDistribution> positions = List.of(topK(random, 10, 10));
    byte[] encoded = SparseCodec.encode(positions);
    assertRoundTrip(positions, SparseCodec.decode(encoded, 1));
    assertEquals(0f, SparseCodec.decode(encoded, 1).get(0).getTailMass());
    // 1 count + 10 one-byte ids + 10 fp16 log-probs + fp16 tail.
    assertEquals(33, encoded.length);
    System.out.printf(
        "classification k=10/10: %d bytes per position, %.2f bytes per kept entry%n",
        encoded.length, encoded.length / 10.0);
  }

  @Test
  void roundTripsTopEightOfAByteVocabularyOverManyPositions() {
    Random random = new Random(2);
    List<SparseDistribution> positions = new ArrayList<>();
    for (int p = 0; p < 128; p++) {
      positions.add(topK(random, 256, 8));
    }
    byte[] encoded = SparseCodec.encode(positions);
    assertRoundTrip(positions, SparseCodec.decode(encoded, positions.size()));
    double perPosition = encoded.length / 128.0;
    System.out.printf(
        "causal LM k=8/256: %.1f bytes per position, %.2f bytes per kept entry"
            + " (int32 ids + fp32 log-probs: 68)%n",
        perPosition, perPosition / 8);
    assertTrue(perPosition < 32, "expected under 32 bytes per position, got " + perPosition);
  }

  @Test
  void roundTripsLargeVocabularyIdsAndEmptyPositions() {
    SparseDistribution wide =
        SparseDistribution.newBuilder()
            .addIds(150_000)
            .addLogProbs(-0.1f)
            .addIds(3)
            .addLogProbs(-2.5f)
            .setTailMass(0.0127f)
            .build();
    SparseDistribution empty = SparseDistribution.newBuilder().setTailMass(1f).build();
    List<SparseDistribution> decoded =
        SparseCodec.decode(SparseCodec.encode(List.of(wide, empty)), 2);
    assertEquals(List.of(150_000, 3), decoded.get(0).getIdsList());
    assertEquals(0, decoded.get(1).getIdsCount());
    assertEquals(1f, decoded.get(1).getTailMass());
  }

  @Test
  void rejectsInvalidDistributionsNamingThePosition() {
    SparseDistribution ok = SparseDistribution.newBuilder().addIds(0).addLogProbs(-1f).build();
    SparseDistribution unpaired = SparseDistribution.newBuilder().addIds(1).build();
    SparseDistribution duplicate =
        SparseDistribution.newBuilder().addIds(4).addLogProbs(-1).addIds(4).addLogProbs(-2).build();
    SparseDistribution positive =
        SparseDistribution.newBuilder().addIds(0).addLogProbs(0.5f).build();
    SparseDistribution nan =
        SparseDistribution.newBuilder().addIds(0).addLogProbs(Float.NaN).build();
    SparseDistribution badTail =
        SparseDistribution.newBuilder().addIds(0).addLogProbs(-1f).setTailMass(1.5f).build();
    for (SparseDistribution bad : List.of(unpaired, duplicate, positive, nan, badTail)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SparseCodec.encode(List.of(ok, bad)));
      assertTrue(e.getMessage().startsWith("position 1"), e.getMessage());
    }
  }

  @Test
  void rejectsTruncatedAndOverlongData() {
    byte[] encoded = SparseCodec.encode(List.of(topK(new Random(3), 10, 5)));
    IllegalArgumentException truncated =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparseCodec.decode(Arrays.copyOf(encoded, encoded.length - 1), 1));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SparseCodec.decode(encoded, 2));
    IllegalArgumentException overlong =
        assertThrows(IllegalArgumentException.class, () -> SparseCodec.decode(encoded, 0));
    assertTrue(overlong.getMessage().contains("bytes left"), overlong.getMessage());
  }

  @Test
  void fp16ConversionIsExactOnRepresentableValuesAndRoundsToNearest() {
    for (float exact :
        new float[] {0f, -0f, 1f, -2.5f, 65504f, -65504f, 6.1035156e-5f, 5.9604645e-8f}) {
      assertEquals(exact, Fp16.toFloat(Fp16.fromFloat(exact)));
    }
    assertEquals(Float.NEGATIVE_INFINITY, Fp16.toFloat(Fp16.fromFloat(Float.NEGATIVE_INFINITY)));
    assertTrue(Float.isNaN(Fp16.toFloat(Fp16.fromFloat(Float.NaN))));
    assertEquals(Float.POSITIVE_INFINITY, Fp16.toFloat(Fp16.fromFloat(1e6f)));
    Random random = new Random(4);
    for (int i = 0; i < 10_000; i++) {
      float value = (float) (-Math.exp(random.nextGaussian() * 2));
      float back = Fp16.toFloat(Fp16.fromFloat(value));
      // Half precision: 11 significant bits, so relative error at most 2^-11 for normals.
      double tolerance = Math.abs(value) >= 6.1035156e-5 ? Math.abs(value) * 0x1p-11 : 0x1p-25;
      assertEquals(value, back, tolerance, "value " + value);
    }
  }
}
