package io.distillery.models.nn;

/** Numerically stable log-softmax over rows of a flat (rows, classes) array, in plain Java. */
public final class LogSoftmax {
  private LogSoftmax() {}

  /**
   * Computes {@code log_softmax(logits / temperature)} row by row.
   *
   * @param logits row-major (rows, classes) logits
   * @param classes values per row
   * @param temperature softmax temperature, > 0 (1 for plain log-probabilities)
   * @return a new array of natural-log probabilities, same layout
   */
  public static float[] apply(float[] logits, int classes, float temperature) {
    if (classes <= 0 || logits.length % classes != 0) {
      throw new IllegalArgumentException(
          "logits length " + logits.length + " is not a multiple of classes " + classes);
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    float[] out = new float[logits.length];
    for (int row = 0; row < logits.length; row += classes) {
      double logSum = logNormalizer(logits, row, classes, temperature);
      for (int c = 0; c < classes; c++) {
        out[row + c] = (float) (logits[row + c] / (double) temperature - logSum);
      }
    }
    return out;
  }

  /**
   * {@code log Σ exp(logits[i] / temperature)} over {@code logits[offset, offset + size)}, stable
   * (the largest term is factored out).
   */
  public static double logNormalizer(float[] logits, int offset, int size, float temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, logits[offset + i] / (double) temperature);
    }
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += Math.exp(logits[offset + i] / (double) temperature - max);
    }
    return max + Math.log(sum);
  }

  /**
   * Index of the largest value in each row.
   *
   * @param values row-major (rows, classes) scores
   * @param classes values per row
   * @return one arg-max per row
   */
  public static int[] argMax(float[] values, int classes) {
    int[] out = new int[values.length / classes];
    for (int r = 0; r < out.length; r++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (values[r * classes + c] > values[r * classes + best]) {
          best = c;
        }
      }
      out[r] = best;
    }
    return out;
  }
}
