package io.distillery.models.watermark;

/**
 * Plants a key's cosine in a classifier's output distribution (CosWM, Charette et al. 2022):
 *
 * <pre>
 *   s(x)  = cos(f · vᵀx + phase)
 *   q̂_c*  = (q_c* + ε · (1 + s(x)))            / (1 + 2ε)
 *   q̂_j   = (q_j  + ε · (1 − s(x)) / (C − 1))  / (1 + 2ε)     for every other class j
 * </pre>
 *
 * which is again a distribution (the added mass is exactly 2ε) and moves no probability by more
 * than {@code 2ε / (1 + 2ε)}. A student that learns these outputs learns the periodic signal in its
 * probability of {@code c*}, which {@link WatermarkDetector} finds. Deterministic per key and
 * input; thread-safe.
 *
 * <p>The mark never changes the teacher's top-1 class: where the full ε would let {@code c*}
 * overtake the top class (or, at a cosine trough, let another class overtake a top {@code c*}),
 * that sample is marked with the largest {@code ε' < ε} that keeps {@link #KEPT_GAP} of the gap
 * between the two (see {@link #strength}). So the marked teacher's accuracy equals the unmarked
 * one's by construction; the detector's signal sits mostly in {@code p(c*)} on samples of other
 * classes, where the gap is large and the full ε applies.
 */
public final class CosineWatermark {

  private static final double MIN_PROB = 1e-30;

  /**
   * The share of the top class's lead that a shrunk mark leaves in place: a margin so that rounding
   * (float logits, later temperature) cannot flip the top-1 class.
   */
  public static final double KEPT_GAP = 0.1;

  private final WatermarkKey key;
  private final float[] direction;
  private final double epsilon;

  /**
   * @param key the secret
   * @param epsilon the signal's strength, in (0, 0.5]
   */
  public CosineWatermark(WatermarkKey key, double epsilon) {
    if (!(epsilon > 0 && epsilon <= 0.5)) {
      throw new IllegalArgumentException("watermark epsilon must be in (0, 0.5], got " + epsilon);
    }
    this.key = key;
    this.direction = key.direction();
    this.epsilon = epsilon;
  }

  /** The key. */
  public WatermarkKey key() {
    return key;
  }

  /** The strength ε. */
  public double epsilon() {
    return epsilon;
  }

  /** {@code vᵀx} of the input at {@code input[offset, offset + inputSize)}. */
  public double projection(float[] input, int offset) {
    return project(direction, input, offset);
  }

  static double project(float[] direction, float[] input, int offset) {
    double sum = 0;
    for (int i = 0; i < direction.length; i++) {
      sum += direction[i] * (double) input[offset + i];
    }
    return sum;
  }

  /** The signal {@code cos(f · vᵀx + phase)} of one input. */
  public double signal(float[] input) {
    checkInput(input.length);
    return Math.cos(key.frequency() * projection(input, 0) + key.phase());
  }

  /**
   * Marks a distribution in place.
   *
   * @param input the flattened input the distribution belongs to
   * @param probs its probabilities over {@code key.classes()} classes; replaced by the marked ones
   *     (same top-1 class, see {@link #strength})
   * @return the largest change of any class's probability, {@code max |q̂ − q|}
   */
  public double markProbabilities(float[] input, double[] probs) {
    checkInput(input.length);
    int classes = key.classes();
    if (probs.length != classes) {
      throw new IllegalArgumentException(
          "the watermark key is for " + classes + " classes, the output has " + probs.length);
    }
    double s = signal(input);
    double strength = strength(s, probs);
    double scale = 1 + 2 * strength;
    double toTarget = strength * (1 + s);
    double toEachOther = strength * (1 - s) / (classes - 1);
    double largest = 0;
    for (int c = 0; c < classes; c++) {
      double marked = (probs[c] + (c == key.targetClass() ? toTarget : toEachOther)) / scale;
      largest = Math.max(largest, Math.abs(marked - probs[c]));
      probs[c] = marked;
    }
    return largest;
  }

  /**
   * The strength this sample is marked with: ε, or less where ε would change the top-1 class.
   *
   * <p>Every class other than {@code c*} gains the same {@code ε(1 − s)/(C − 1)}, so their order
   * among themselves never changes; only the top class against {@code c*} (or, when {@code c*} is
   * on top, {@code c*} against the runner-up) can swap. With {@code gap} the lead of the top class
   * and {@code rate} how much faster per unit ε the challenger gains, the lead survives for {@code
   * ε < gap / rate}; this returns {@code min(ε, (1 − KEPT_GAP) · gap / rate)}. Exact ties stay
   * unmarked.
   *
   * @param s the sample's signal {@code cos(f · vᵀx + phase)}
   * @param probs the teacher's distribution (not changed)
   */
  public double strength(double s, double[] probs) {
    int classes = probs.length;
    int target = key.targetClass();
    double targetGain = 1 + s;
    double otherGain = (1 - s) / (classes - 1);
    int top = 0;
    for (int c = 1; c < classes; c++) {
      if (probs[c] > probs[top]) {
        top = c;
      }
    }
    double gap;
    double rate;
    if (top == target) {
      double runnerUp = 0;
      for (int c = 0; c < classes; c++) {
        if (c != target) {
          runnerUp = Math.max(runnerUp, probs[c]);
        }
      }
      gap = probs[top] - runnerUp;
      rate = otherGain - targetGain;
    } else {
      gap = probs[top] - probs[target];
      rate = targetGain - otherGain;
    }
    if (rate <= 0) {
      return epsilon; // the challenger gains no faster than the top class
    }
    return Math.min(epsilon, (1 - KEPT_GAP) * gap / rate);
  }

  /**
   * Marks one row of logits: the result's softmax is the marked distribution of the logits'
   * softmax, so any later temperature or top-k applies to the marked outputs.
   *
   * @param input the flattened input
   * @param logits the teacher's logits for it (not changed)
   * @return the marked logits ({@code log q̂}) and {@code max |q̂ − q|}
   */
  public Marked markLogits(float[] input, float[] logits) {
    double[] probs = softmax(logits);
    double perturbation = markProbabilities(input, probs);
    float[] marked = new float[logits.length];
    for (int c = 0; c < marked.length; c++) {
      // A probability that underflowed stays a (very negative) finite log for the codec.
      marked[c] = (float) Math.log(Math.max(probs[c], MIN_PROB));
    }
    return new Marked(marked, perturbation);
  }

  /**
   * Marked logits and the size of the change.
   *
   * @param logits {@code log q̂}, every entry finite (probabilities below 1e-30 are clamped)
   * @param perturbation {@code max_c |q̂_c − q_c|}
   */
  public record Marked(float[] logits, double perturbation) {}

  static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int c = 0; c < p.length; c++) {
      p[c] = Math.exp(logits[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < p.length; c++) {
      p[c] /= sum;
    }
    return p;
  }

  private void checkInput(int length) {
    if (length != key.inputSize()) {
      throw new IllegalArgumentException(
          "the watermark key is for inputs of "
              + key.inputSize()
              + " values, this input has "
              + length);
    }
  }
}
