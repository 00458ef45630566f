package io.distillery.teacher.task.causallm;

import java.util.Random;

/** Picks the next token from one position's logits: greedy, or sampled at a temperature. */
final class NextToken {

  private NextToken() {}

  /** The most probable id; ties go to the lower id. */
  static int greedy(float[] logits, int offset, int size) {
    int best = 0;
    for (int i = 1; i < size; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  /** An id drawn from {@code softmax(logits / temperature)} with {@code random}. */
  static int sample(float[] logits, int offset, int size, float temperature, Random random) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, logits[offset + i] / (double) temperature);
    }
    double[] weights = new double[size];
    double total = 0;
    for (int i = 0; i < size; i++) {
      weights[i] = Math.exp(logits[offset + i] / (double) temperature - max);
      total += weights[i];
    }
    double draw = random.nextDouble() * total;
    for (int i = 0; i < size; i++) {
      draw -= weights[i];
      if (draw < 0) {
        return i;
      }
    }
    return greedy(logits, offset, size); // rounding left a sliver of mass: the likeliest token
  }
}
