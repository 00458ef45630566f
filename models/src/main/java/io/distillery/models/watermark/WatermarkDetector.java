package io.distillery.models.watermark;

import io.distillery.models.data.LabeledImages;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Tests whether a suspect's probability of the key's class carries the key's cosine.
 *
 * <p>Statistic: over probe inputs {@code x_i} with projections {@code t_i = vᵀx_i} and the
 * suspect's {@code y_i = p(c*|x_i)}, the fraction of the variance of {@code y} explained by a
 * least-squares fit of {@code a + b·cos(f t) + c·sin(f t)} (the normalised periodogram power at
 * {@code f}, phase-free).
 *
 * <p>p-value: the same statistic for {@code nullKeys} directions {@code v'} drawn as the key's was
 * (same class, frequency and grid). When the suspect never saw outputs marked with this key, the
 * key's direction was drawn from that same distribution independently of the suspect, so its
 * statistic is exchangeable with the null ones and {@code p = (1 + #{null ≥ observed}) / (K + 1)}
 * is a valid p-value (a Monte Carlo test): at most α with probability α, whatever the suspect.
 */
public final class WatermarkDetector {

  /** The decision threshold of the issue: detected when p &lt; 0.01. */
  public static final double DEFAULT_ALPHA = 0.01;

  /** Null directions by default: 999 makes the smallest p-value 0.001. */
  public static final int DEFAULT_NULL_KEYS = 999;

  private static final int QUERY_BATCH = 256;

  /** What the fit explains: the suspect's probability of the key's class, or its logarithm. */
  public enum Scale {
    /** {@code y = p(c*|x)}. */
    PROBABILITY,
    /**
     * {@code y = log max(p(c*|x), 1e-6)}: the mark lifts a floor under {@code p(c*)} that vanishes
     * where the cosine is −1, a large swing in log space that survives a later shift of the class's
     * logit (fine-tuning on hard labels).
     */
    LOG_PROBABILITY
  }

  private static final double LOG_FLOOR = 1e-6;

  private final WatermarkKey key;
  private final int nullKeys;
  private final double alpha;
  private final Scale scale;

  public WatermarkDetector(WatermarkKey key, int nullKeys, double alpha) {
    this(key, nullKeys, alpha, Scale.LOG_PROBABILITY);
  }

  public WatermarkDetector(WatermarkKey key, int nullKeys, double alpha, Scale scale) {
    if (nullKeys < 1) {
      throw new IllegalArgumentException("null keys must be ≥ 1, got " + nullKeys);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    this.key = key;
    this.nullKeys = nullKeys;
    this.alpha = alpha;
    this.scale = scale;
  }

  public WatermarkDetector(WatermarkKey key) {
    this(key, DEFAULT_NULL_KEYS, DEFAULT_ALPHA);
  }

  /**
   * The outcome of a test.
   *
   * @param pValue the Monte Carlo p-value
   * @param detected {@code pValue < alpha}
   * @param alpha the threshold
   * @param statistic the key's explained-variance fraction
   * @param nullMedian the median of the null statistics, for scale
   * @param amplitude the fitted cosine's amplitude on the detector's scale, {@code sqrt(b² + c²)}
   * @param meanTarget the suspect's mean probability of the key's class over the probes
   * @param probes probe inputs the statistic used (the queries made)
   * @param nullKeys null directions drawn
   */
  public record Result(
      double pValue,
      boolean detected,
      double alpha,
      double statistic,
      double nullMedian,
      double amplitude,
      double meanTarget,
      int probes,
      int nullKeys) {}

  /** The probes worth querying: those whose known class is not the key's class. */
  public boolean useful(int label) {
    return label != key.targetClass();
  }

  /**
   * Queries the suspect on the useful probes (those not of the key's class) in batches of 256 and
   * runs the test on its probabilities of the key's class.
   *
   * @param probes the probe images with their known classes
   * @throws Exception when the suspect fails to answer
   */
  public Result test(LabeledImages probes, Suspect suspect) throws Exception {
    int d = probes.sampleSize();
    if (d != key.inputSize()) {
      throw new IllegalArgumentException(
          "the key is for inputs of " + key.inputSize() + " values, the probes have " + d);
    }
    int[] useful =
        IntStream.range(0, probes.size()).filter(i -> useful(probes.labels()[i])).toArray();
    LabeledImages chosen = probes.subset(useful);
    int n = chosen.size();
    double[] target = new double[n];
    int classes = key.classes();
    for (int start = 0; start < n; start += QUERY_BATCH) {
      int count = Math.min(QUERY_BATCH, n - start);
      float[] batch = new float[count * d];
      System.arraycopy(chosen.images(), start * d, batch, 0, batch.length);
      float[] probs = suspect.probabilities(batch, count);
      if (probs.length != count * classes) {
        throw new IllegalStateException(
            "the suspect returned "
                + probs.length
                + " probabilities for "
                + count
                + " inputs; the key expects "
                + classes
                + " classes each");
      }
      for (int i = 0; i < count; i++) {
        target[start + i] = probs[i * classes + key.targetClass()];
      }
    }
    return test(chosen.images(), target, chosen.labels());
  }

  /**
   * Runs the test without known classes (no class-wise centring).
   *
   * @param inputs row-major (probes, inputSize) flattened probe inputs
   * @param targetProbs the suspect's probability of the key's class for each probe
   */
  public Result test(float[] inputs, double[] targetProbs) {
    return test(inputs, targetProbs, null);
  }

  /**
   * Runs the test.
   *
   * @param inputs row-major (probes, inputSize) flattened probe inputs
   * @param targetProbs the suspect's probability of the key's class for each probe
   * @param labels the probes' known classes, or null: when given, each class's mean is removed from
   *     {@code y} first, so that the variance left is not the classes' own (a shirt's probability
   *     of "pullover" is high for any model). The same for every direction, so the test stays exact
   */
  public Result test(float[] inputs, double[] targetProbs, int[] labels) {
    int n = targetProbs.length;
    if (inputs.length != (long) n * key.inputSize()) {
      throw new IllegalArgumentException(
          "probe inputs hold "
              + inputs.length
              + " values, expected "
              + n
              + " × "
              + key.inputSize());
    }
    if (n < 8) {
      throw new IllegalArgumentException("the test needs at least 8 probes, got " + n);
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] =
          scale == Scale.LOG_PROBABILITY
              ? Math.log(Math.max(targetProbs[i], LOG_FLOOR))
              : targetProbs[i];
    }
    if (labels != null) {
      centreByClass(y, labels);
    }
    Projector projector = new Projector(key, inputs, n);
    double[] fitted = fit(projector.project(key.direction()), y);
    double observed = fitted[0];
    double[] nulls = new double[nullKeys];
    // Null directions from their own stream, fixed per key so a test is reproducible.
    SplittableRandom seeds = new SplittableRandom(key.seed() ^ 0x5DEECE66DL);
    int atLeast = 0;
    for (int k = 0; k < nullKeys; k++) {
      nulls[k] = fit(projector.project(key.direction(seeds.nextLong())), y)[0];
      if (nulls[k] >= observed) {
        atLeast++;
      }
    }
    Arrays.sort(nulls);
    double p = (1.0 + atLeast) / (nullKeys + 1.0);
    double mean = Arrays.stream(targetProbs).average().orElse(0);
    return new Result(
        p, p < alpha, alpha, observed, nulls[nullKeys / 2], fitted[1], mean, n, nullKeys);
  }

  private static void centreByClass(double[] y, int[] labels) {
    if (labels.length != y.length) {
      throw new IllegalArgumentException(
          labels.length + " labels for " + y.length + " probe outputs");
    }
    java.util.Map<Integer, double[]> sums = new java.util.HashMap<>();
    for (int i = 0; i < y.length; i++) {
      double[] sum = sums.computeIfAbsent(labels[i], c -> new double[2]);
      sum[0] += y[i];
      sum[1]++;
    }
    for (int i = 0; i < y.length; i++) {
      double[] sum = sums.get(labels[i]);
      y[i] -= sum[0] / sum[1];
    }
  }

  /**
   * Projects the probes on directions. A grid key's directions are constant per cell, so each probe
   * is reduced once to its cell sums and a projection costs g² instead of the input size.
   */
  private static final class Projector {
    private final int n;
    private final int d;
    private final float[] inputs;
    private final int[] cellOf;
    private final double[] cellSums;
    private final int cells;

    Projector(WatermarkKey key, float[] inputs, int n) {
      this.n = n;
      this.d = key.inputSize();
      this.inputs = inputs;
      if (key.grid() == 0) {
        this.cellOf = null;
        this.cellSums = null;
        this.cells = 0;
        return;
      }
      int side = (int) Math.round(Math.sqrt(d));
      int g = key.grid();
      this.cells = g * g;
      this.cellOf = new int[d];
      for (int i = 0; i < d; i++) {
        cellOf[i] = ((i / side) * g / side) * g + (i % side) * g / side;
      }
      this.cellSums = new double[n * cells];
      for (int s = 0; s < n; s++) {
        for (int i = 0; i < d; i++) {
          cellSums[s * cells + cellOf[i]] += inputs[s * d + i];
        }
      }
    }

    double[] project(float[] direction) {
      double[] t = new double[n];
      if (cellSums == null) {
        for (int s = 0; s < n; s++) {
          t[s] = CosineWatermark.project(direction, inputs, s * d);
        }
        return t;
      }
      double[] w = new double[cells];
      for (int i = 0; i < d; i++) {
        w[cellOf[i]] = direction[i];
      }
      for (int s = 0; s < n; s++) {
        double sum = 0;
        for (int c = 0; c < cells; c++) {
          sum += w[c] * cellSums[s * cells + c];
        }
        t[s] = sum;
      }
      return t;
    }
  }

  /** {R², amplitude} of the least-squares fit y ~ a + b cos(f t) + c sin(f t). */
  private double[] fit(double[] projections, double[] y) {
    double f = key.frequency();
    double[] angles = new double[projections.length];
    for (int i = 0; i < angles.length; i++) {
      angles[i] = f * projections[i];
    }
    return PeriodicFit.fit(angles, y);
  }
}
