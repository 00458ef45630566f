package io.distillery.models.nn;

import io.distillery.proto.v1.SparseDistribution;

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

  /**
   * The ids of the k largest logits, largest first; ties go to the lower id. A sorted array of the
   * kept entries, each value compared once with the weakest kept one: no boxing, which mattered for
   * a language model's vocabulary at every position.
   */
  private static int[] topIds(float[] logits, int offset, int size, int k) {
    int[] ids = new int[k];
    float[] values = new float[k];
    int kept = 0;
    for (int i = 0; i < size; i++) {
      float value = logits[offset + i];
      if (kept == k && !greater(value, values[k - 1])) {
        continue;
      }
      int at = kept == k ? k - 1 : kept;
      // Strictly greater moves ahead, so an equal value stays behind the lower id kept before it.
      while (at > 0 && greater(value, values[at - 1])) {
        values[at] = values[at - 1];
        ids[at] = ids[at - 1];
        at--;
      }
      values[at] = value;
      ids[at] = i;
      if (kept < k) {
        kept++;
      }
    }
    return kept == k ? ids : java.util.Arrays.copyOf(ids, kept);
  }

  /** {@code a > b} in {@link Float#compare}'s order (NaN above everything). */
  private static boolean greater(float a, float b) {
    return Float.compare(a, b) > 0;
  }
}
