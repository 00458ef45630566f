package io.distillery.models.nn;

import io.distillery.proto.v1.SparseDistribution;
import java.util.PriorityQueue;

/**
 * Turns one position's logits into a sparse distribution: top-k log-probs at T plus the tail, as a
 * teacher serves them (and as tests and benchmarks reproduce them).
 */
public final class TopK {

  private TopK() {}

  /**
   * Computes {@code log_softmax(logits / temperature)} over {@code logits[offset, offset+size)},
   * keeps the {@code k} most probable entries (most probable first, ties by lower id) and the
   * probability mass of the rest (exactly 0 when {@code k >= size}).
   */
  public static SparseDistribution of(
      float[] logits, int offset, int size, int k, float temperature) {
    double logNormalizer = LogSoftmax.logNormalizer(logits, offset, size, temperature);

    int kept = Math.min(k, size);
    int[] ids = topIds(logits, offset, size, kept);
    SparseDistribution.Builder builder = SparseDistribution.newBuilder();
    double keptMass = 0;
    for (int id : ids) {
      double logProb = logits[offset + id] / (double) temperature - logNormalizer;
      keptMass += Math.exp(logProb);
      builder.addIds(id).addLogProbs((float) Math.min(0, logProb));
    }
    float tail = kept >= size ? 0f : (float) Math.max(0, 1 - keptMass);
    return builder.setTailMass(tail).build();
  }

  /** The ids of the k largest logits, largest first; ties go to the lower id. */
  private static int[] topIds(float[] logits, int offset, int size, int k) {
    // Min-heap on (logit, -id): its head is the weakest of the kept entries.
    PriorityQueue<Integer> heap =
        new PriorityQueue<>(
            k + 1,
            (a, b) -> {
              int byLogit = Float.compare(logits[offset + a], logits[offset + b]);
              return byLogit != 0 ? byLogit : Integer.compare(b, a);
            });
    for (int i = 0; i < size; i++) {
      heap.add(i);
      if (heap.size() > k) {
        heap.poll();
      }
    }
    int[] ids = new int[heap.size()];
    for (int i = ids.length - 1; i >= 0; i--) {
      ids[i] = heap.poll();
    }
    return ids;
  }
}
