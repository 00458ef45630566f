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
    LOG_PROBABILITY,
    /**
     * {@code y = log p(c*|x) − mean log p(k|x)} over the classes {@code k} other than {@code c*}
     * and the suspect's own top class (each probability floored at 1e-6): how far {@code c*} sits
     * above the other unlikely classes. The mark lifts {@code c*}'s floor with the cosine and the
     * other classes' floors against it, so the difference carries both; how confident the suspect
     * is on an input moves every unlikely class together and cancels. Needs whole distributions.
     */
    RELATIVE_LOG_PROBABILITY
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

  /** The key under test. */
  public WatermarkKey key() {
    return key;
  }

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
    return test(probes, suspect, null);
  }

  /**
   * Like {@link #test(LabeledImages, Suspect)}, with the owner's unmarked teacher as a reference:
   * its probability of the key's class on the same probes is regressed out of the suspect's first
   * (see {@link #test(float[], double[], int[], double[])}).
   *
   * @param reference the unmarked teacher, or null for none
   */
  public Result test(LabeledImages probes, Suspect suspect, Suspect reference) throws Exception {
    int d = probes.sampleSize();
    if (d != key.inputSize()) {
      throw new IllegalArgumentException(
          "the key is for inputs of " + key.inputSize() + " values, the probes have " + d);
    }
    int[] useful =
        IntStream.range(0, probes.size()).filter(i -> useful(probes.labels()[i])).toArray();
    LabeledImages chosen = probes.subset(useful);
    float[] rows = distributions(chosen, suspect);
    float[] referenceRows = reference == null ? null : distributions(chosen, reference);
    return testDistributions(chosen.images(), rows, chosen.labels(), referenceRows);
  }

  /** A model's distributions over the probes, row-major (probes, classes), queried in batches. */
  private float[] distributions(LabeledImages chosen, Suspect suspect) throws Exception {
    int d = chosen.sampleSize();
    int n = chosen.size();
    int classes = key.classes();
    float[] rows = new float[n * classes];
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
      System.arraycopy(probs, 0, rows, start * classes, probs.length);
    }
    return rows;
  }

  /**
   * Runs the test on whole distributions (any {@link Scale}).
   *
   * @param inputs row-major (probes, inputSize) flattened probe inputs
   * @param probs row-major (probes, classes) the suspect's distributions
   * @param labels the probes' known classes, or null (see {@link #test(float[], double[], int[])})
   * @param referenceProbs row-major (probes, classes) the owner's unmarked teacher's distributions
   *     on the same probes, or null (see {@link #test(float[], double[], int[], double[])})
   */
  public Result testDistributions(
      float[] inputs, float[] probs, int[] labels, float[] referenceProbs) {
    double[] y = scores(probs);
    double[] r = referenceProbs == null ? null : scores(referenceProbs);
    int classes = key.classes();
    double mean = 0;
    for (int i = 0; i < y.length; i++) {
      mean += probs[i * classes + key.targetClass()];
    }
    return testScores(inputs, y, labels, r, mean / y.length);
  }

  /** Each row's score on this detector's scale. */
  private double[] scores(float[] probs) {
    int classes = key.classes();
    int target = key.targetClass();
    if (probs.length % classes != 0) {
      throw new IllegalArgumentException(
          probs.length + " probabilities are not rows of " + classes + " classes");
    }
    double[] y = new double[probs.length / classes];
    for (int i = 0; i < y.length; i++) {
      int row = i * classes;
      double p = probs[row + target];
      if (scale != Scale.RELATIVE_LOG_PROBABILITY) {
        y[i] = scale == Scale.LOG_PROBABILITY ? Math.log(Math.max(p, LOG_FLOOR)) : p;
        continue;
      }
      int top = 0;
      for (int c = 1; c < classes; c++) {
        if (probs[row + c] > probs[row + top]) {
          top = c;
        }
      }
      double others = 0;
      int counted = 0;
      for (int c = 0; c < classes; c++) {
        if (c != target && c != top) {
          others += Math.log(Math.max(probs[row + c], LOG_FLOOR));
          counted++;
        }
      }
      y[i] = Math.log(Math.max(p, LOG_FLOOR)) - (counted == 0 ? 0 : others / counted);
    }
    return y;
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
    return test(inputs, targetProbs, labels, null);
  }

  /**
   * Runs the test, first removing what a reference explains.
   *
   * <p>Most of the variance of a student's {@code log p(c*|x)} within a class is what any model of
   * this data does (the teacher's own uncertainty between look-alike classes), and it is smooth in
   * x, so random smooth directions explain some of it too: noise the key's cosine must stand out
   * from. The owner's unmarked teacher shows that part: its {@code log q(c*|x)}, on the same scale
   * and centred the same way, is regressed out of the suspect's within each class (one slope per
   * class) before the fit. The reference does not depend on the key's direction and the same
   * residual goes to every direction, so the test stays exact.
   *
   * @param referenceProbs the unmarked teacher's probability of the key's class for each probe, or
   *     null for none
   */
  public Result test(float[] inputs, double[] targetProbs, int[] labels, double[] referenceProbs) {
    if (scale == Scale.RELATIVE_LOG_PROBABILITY) {
      throw new IllegalStateException(
          "the relative scale needs whole distributions: use testDistributions");
    }
    double mean = Arrays.stream(targetProbs).average().orElse(0);
    return testScores(
        inputs,
        onScale(targetProbs),
        labels,
        referenceProbs == null ? null : onScale(referenceProbs),
        mean);
  }

  private Result testScores(
      float[] inputs, double[] y, int[] labels, double[] referenceScores, double meanTarget) {
    int n = y.length;
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
    int[] groups = labels != null ? labels : new int[n];
    centreByClass(y, groups);
    if (referenceScores != null) {
      if (referenceScores.length != n) {
        throw new IllegalArgumentException(
            referenceScores.length + " reference outputs for " + n + " probe outputs");
      }
      double[] r = referenceScores.clone();
      centreByClass(r, groups);
      regressOutByClass(y, r, groups);
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
    return new Result(
        p, p < alpha, alpha, observed, nulls[nullKeys / 2], fitted[1], meanTarget, n, nullKeys);
  }

  private double[] onScale(double[] probs) {
    double[] y = new double[probs.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = scale == Scale.LOG_PROBABILITY ? Math.log(Math.max(probs[i], LOG_FLOOR)) : probs[i];
    }
    return y;
  }

  /** {@code y −= β_class · r}, β the least-squares slope within each class (both centred). */
  private static void regressOutByClass(double[] y, double[] r, int[] labels) {
    java.util.Map<Integer, double[]> sums = new java.util.HashMap<>();
    for (int i = 0; i < y.length; i++) {
      double[] sum = sums.computeIfAbsent(labels[i], c -> new double[2]);
      sum[0] += y[i] * r[i];
      sum[1] += r[i] * r[i];
    }
    for (int i = 0; i < y.length; i++) {
      double[] sum = sums.get(labels[i]);
      if (sum[1] > 0) {
        y[i] -= sum[0] / sum[1] * r[i];
      }
    }
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
