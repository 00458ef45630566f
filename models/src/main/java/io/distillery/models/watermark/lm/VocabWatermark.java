package io.distillery.models.watermark.lm;

/**
 * Plants a key's periodic signal in a language model's next-token distributions (GINSEW-style, He
 * et al., ICML 2023). At each position with context hash {@code t} the logits of the key's group-1
 * tokens rise by {@code b} and the others' fall by {@code b}, where
 *
 * <pre>
 *   b = ε · cos(2π f t + φ), capped so that the teacher's top-1 token stays top-1
 * </pre>
 *
 * so the group-1 log-odds move by exactly {@code 2b} and mass moves between the groups with the
 * signal while the order inside each group is kept; the result is again a distribution (it is a
 * softmax). The cap: when the top-1 token's group loses, {@code |b|} stays below half the logit gap
 * to the best token of the other group. A student that learns these outputs learns the signal in
 * its own group-1 mass, which {@link LmWatermarkDetector} finds. Deterministic per key and input;
 * thread-safe.
 */
public final class VocabWatermark {

  private final LmWatermarkKey key;
  private final boolean[] groupOne;
  private final double epsilon;

  /**
   * @param key the secret
   * @param epsilon the signal's strength in logits, in (0, 2]
   */
  public VocabWatermark(LmWatermarkKey key, double epsilon) {
    if (!(epsilon > 0 && epsilon <= 2)) {
      throw new IllegalArgumentException("LM watermark epsilon must be in (0, 2], got " + epsilon);
    }
    this.key = key;
    this.groupOne = key.groupOne();
    this.epsilon = epsilon;
  }

  /** The key. */
  public LmWatermarkKey key() {
    return key;
  }

  /** The strength ε. */
  public double epsilon() {
    return epsilon;
  }

  /**
   * Marks a sequence's logits.
   *
   * @param ids the sequence's tokens; position {@code i}'s distribution is of the token after
   *     {@code ids[i]}
   * @param logits (length, vocab) row-major logits for at least {@code ids.length} positions (not
   *     changed)
   * @return the marked logits and {@code max |q̂ − q|} over every token of every position
   */
  public Marked markSequence(int[] ids, float[] logits) {
    int vocab = key.vocabSize();
    if (logits.length < (long) ids.length * vocab || logits.length % vocab != 0) {
      throw new IllegalArgumentException(
          "the LM watermark key is for a vocabulary of "
              + vocab
              + "; got "
              + logits.length
              + " logits for "
              + ids.length
              + " positions");
    }
    float[] marked = logits.clone();
    double largest = 0;
    for (int position = 0; position < ids.length; position++) {
      largest = Math.max(largest, markPosition(marked, position * vocab, key.hash(ids, position)));
    }
    return new Marked(marked, largest);
  }

  /**
   * Marks one position's logits in place.
   *
   * @param logits the logits of many positions
   * @param offset where this position's {@code vocab} logits start
   * @param t the position's context hash
   * @return {@code max |q̂ − q|} over the position's tokens
   */
  public double markPosition(float[] logits, int offset, double t) {
    int vocab = key.vocabSize();
    double bias = epsilon * key.signal(t);
    int top = argmax(logits, offset, vocab);
    boolean topGains = groupOne[top] == (bias > 0);
    if (!topGains) {
      // The best token of the other group must stay below the top-1 after the shift of 2|b|.
      int rival = -1;
      for (int i = 0; i < vocab; i++) {
        if (groupOne[i] != groupOne[top]
            && (rival < 0 || logits[offset + i] > logits[offset + rival])) {
          rival = i;
        }
      }
      if (rival >= 0) {
        double gap = (double) logits[offset + top] - logits[offset + rival];
        bias = Math.signum(bias) * Math.min(Math.abs(bias), 0.49 * gap);
      }
    }
    if (bias == 0) {
      return 0;
    }
    float[] before = new float[vocab];
    System.arraycopy(logits, offset, before, 0, vocab);
    for (int i = 0; i < vocab; i++) {
      logits[offset + i] = (float) (before[i] + (groupOne[i] ? bias : -bias));
    }
    if (argmax(logits, offset, vocab) != top) {
      // Float rounding of a tiny gap: leave this position unmarked rather than change its top-1.
      System.arraycopy(before, 0, logits, offset, vocab);
      return 0;
    }
    return largestChange(before, logits, offset);
  }

  /** Whether a token is in the key's group 1. */
  public boolean inGroupOne(int token) {
    return groupOne[token];
  }

  private static double largestChange(float[] before, float[] after, int offset) {
    double[] p = softmax(before, 0, before.length);
    double[] q = softmax(after, offset, before.length);
    double largest = 0;
    for (int i = 0; i < p.length; i++) {
      largest = Math.max(largest, Math.abs(q[i] - p[i]));
    }
    return largest;
  }

  static double[] softmax(float[] logits, int offset, int size) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double[] p = new double[size];
    double sum = 0;
    for (int i = 0; i < size; i++) {
      p[i] = Math.exp(logits[offset + i] - max);
      sum += p[i];
    }
    for (int i = 0; i < size; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** The most probable id; ties go to the lower id (as the teacher's greedy decoding). */
  static int argmax(float[] logits, int offset, int size) {
    int best = 0;
    for (int i = 1; i < size; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Marked logits and the size of the change.
   *
   * @param logits the marked logits, same layout as the input
   * @param perturbation {@code max |q̂ − q|} over every token of every position
   */
  public record Marked(float[] logits, double perturbation) {}
}
