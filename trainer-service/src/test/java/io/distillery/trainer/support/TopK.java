package io.distillery.trainer.support;

import io.distillery.models.nn.LogSoftmax;
import io.distillery.proto.v1.SparseDistribution;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Top-k log-probabilities at T plus the tail, as a teacher serves them. */
public final class TopK {

  private TopK() {}

  /** The distribution of one row of logits. */
  public static SparseDistribution of(float[] logits, int row, int classes, int k, float t) {
    float[] one = Arrays.copyOfRange(logits, row * classes, (row + 1) * classes);
    float[] logProbs = LogSoftmax.apply(one, classes, t);
    Integer[] order = IntStream.range(0, classes).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> logProbs[i]).reversed());
    SparseDistribution.Builder out = SparseDistribution.newBuilder();
    double kept = 0;
    int n = Math.min(k, classes);
    for (int i = 0; i < n; i++) {
      out.addIds(order[i]).addLogProbs(Math.min(0f, logProbs[order[i]]));
      kept += Math.exp(logProbs[order[i]]);
    }
    return out.setTailMass(n == classes ? 0f : (float) Math.max(0, 1 - kept)).build();
  }
}
