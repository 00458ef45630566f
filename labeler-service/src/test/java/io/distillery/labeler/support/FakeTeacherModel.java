package io.distillery.labeler.support;

import io.distillery.proto.v1.SparseDistribution;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The fake teacher's deterministic model: softmax at temperature T of a fixed linear map of the
 * input. Tests recompute the expected soft labels with it.
 */
public final class FakeTeacherModel {

  /** Number of classes. */
  public static final int CLASSES = 10;

  private FakeTeacherModel() {}

  /** The top-{@code k} entries of the distribution of {@code input} at {@code temperature}. */
  public static SparseDistribution label(float[] input, int k, float temperature) {
    double[] logits = new double[CLASSES];
    for (int c = 0; c < CLASSES; c++) {
      double sum = 0;
      for (int i = 0; i < input.length; i++) {
        sum += input[i] * (((i * 7 + c * 13) % 17) - 8) / 64.0;
      }
      logits[c] = sum / temperature;
    }
    double max = Arrays.stream(logits).max().orElse(0);
    double norm = Math.log(Arrays.stream(logits).map(l -> Math.exp(l - max)).sum()) + max;
    Integer[] order = IntStream.range(0, CLASSES).boxed().toArray(Integer[]::new);
    Arrays.sort(
        order, Comparator.comparingDouble((Integer c) -> -logits[c]).thenComparingInt(c -> c));
    SparseDistribution.Builder out = SparseDistribution.newBuilder();
    double kept = 0;
    for (int i = 0; i < k; i++) {
      double logProb = logits[order[i]] - norm;
      kept += Math.exp(logProb);
      out.addIds(order[i]).addLogProbs((float) logProb);
    }
    return out.setTailMass(k == CLASSES ? 0f : (float) Math.max(0, 1 - kept)).build();
  }
}
