package io.distillery.models.watermark.lm;

import io.distillery.models.watermark.PeriodicFit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tests whether a suspect language model's group-1 mass carries an {@link LmWatermarkKey}'s signal.
 *
 * <p>Statistic: over probe positions with context hashes {@code t_i} and the suspect's group-1
 * log-odds {@code y_i = log(P1/P2)} of its next-token distribution, the fraction of the variance of
 * {@code y} explained by a least-squares fit of {@code a + b·cos(2π f t) + c·sin(2π f t)} ({@link
 * PeriodicFit}, shared with the classifier's detector).
 *
 * <p>p-value: the same statistic for {@code nullKeys} keys drawn as the key was (another seed: a
 * different vocabulary split and context hash). A suspect that never saw this key's marks is
 * independent of it, so the key's statistic is exchangeable with the null ones and {@code p = (1 +
 * #{null ≥ observed}) / (K + 1)} is a valid p-value.
 */
public final class LmWatermarkDetector {

  /** Detected when p &lt; 0.01. */
  public static final double DEFAULT_ALPHA = 0.01;

  /** Null keys by default: 999 makes the smallest p-value 0.001. */
  public static final int DEFAULT_NULL_KEYS = 999;

  private static final double MASS_FLOOR = 1e-6;
  private static final int QUERY_BATCH = 16;

  private final LmWatermarkKey key;
  private final int nullKeys;
  private final double alpha;

  public LmWatermarkDetector(LmWatermarkKey key, int nullKeys, double alpha) {
    if (nullKeys < 1) {
      throw new IllegalArgumentException("null keys must be ≥ 1, got " + nullKeys);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    this.key = key;
    this.nullKeys = nullKeys;
    this.alpha = alpha;
  }

  public LmWatermarkDetector(LmWatermarkKey key) {
    this(key, DEFAULT_NULL_KEYS, DEFAULT_ALPHA);
  }

  /**
   * The outcome of a test.
   *
   * @param pValue the Monte Carlo p-value
   * @param detected {@code pValue < alpha}
   * @param alpha the threshold
   * @param statistic the key's explained-variance fraction
   * @param nullMedian the median of the null statistics
   * @param amplitude the fitted cosine's amplitude in group-1 log-odds
   * @param meanGroupOne the suspect's mean group-1 mass over the probe positions
   * @param windows probe windows queried
   * @param positions probe positions the statistic used
   * @param nullKeys null keys drawn
   */
  public record Result(
      double pValue,
      boolean detected,
      double alpha,
      double statistic,
      double nullMedian,
      double amplitude,
      double meanGroupOne,
      int windows,
      int positions,
      int nullKeys) {}

  /** Queries the suspect on the windows, 16 at a time, and runs the test. */
  public Result test(List<int[]> windows, LmSuspect suspect) throws Exception {
    return test(windows, query(windows, suspect));
  }

  /** Queries suspect and reference (the owner's unmarked teacher) and runs the relative test. */
  public Result test(List<int[]> windows, LmSuspect suspect, LmSuspect reference) throws Exception {
    return test(windows, query(windows, suspect), query(windows, reference));
  }

  private static List<float[]> query(List<int[]> windows, LmSuspect suspect) throws Exception {
    List<float[]> probs = new ArrayList<>(windows.size());
    for (int start = 0; start < windows.size(); start += QUERY_BATCH) {
      List<int[]> batch = windows.subList(start, Math.min(windows.size(), start + QUERY_BATCH));
      List<float[]> answer = suspect.probabilities(batch);
      if (answer.size() != batch.size()) {
        throw new IllegalStateException(
            "the suspect answered " + answer.size() + " windows of " + batch.size());
      }
      probs.addAll(answer);
    }
    return probs;
  }

  /**
   * Runs the test on answers already in hand.
   *
   * @param windows the probe windows
   * @param probs per window, (length, vocab) next-token probabilities
   */
  public Result test(List<int[]> windows, List<float[]> probs) {
    return test(windows, probs, null);
  }

  /**
   * Runs the test relative to a reference model: {@code y} is the suspect's group-1 log-odds minus
   * the reference's at the same position. With the owner's unmarked teacher as the reference, the
   * log-odds a student shares with its teacher cancel and what remains is mostly the mark, a far
   * sharper test. Still exact: the reference does not depend on the key either.
   *
   * @param reference per window, the reference's (length, vocab) probabilities; null for none
   */
  public Result test(List<int[]> windows, List<float[]> probs, List<float[]> reference) {
    int vocab = key.vocabSize();
    if (reference != null && reference.size() != windows.size()) {
      throw new IllegalArgumentException(
          reference.size() + " reference answers for " + windows.size() + " windows");
    }
    int n = 0;
    for (int w = 0; w < windows.size(); w++) {
      if (probs.get(w).length != windows.get(w).length * vocab) {
        throw new IllegalArgumentException(
            "window "
                + w
                + ": the suspect returned "
                + probs.get(w).length
                + " probabilities for "
                + windows.get(w).length
                + " positions; the key's vocabulary is "
                + vocab
                + " (does the suspect use the teacher's tokenizer?)");
      }
      n += windows.get(w).length;
    }
    if (n < 8) {
      throw new IllegalArgumentException("the test needs at least 8 probe positions, got " + n);
    }
    double[] totals = totals(windows, probs, vocab, n);
    Reference ref =
        reference == null ? null : new Reference(reference, totals(windows, reference, vocab, n));
    double[] observed = statistic(key, windows, probs, totals, ref);
    double[] nulls = new double[nullKeys];
    // Null keys from their own stream, fixed per key so a test is reproducible.
    SplittableRandom seeds = new SplittableRandom(key.seed() ^ 0x5DEECE66DL);
    for (int k = 0; k < nullKeys; k++) {
      nulls[k] = statistic(key.withSeed(seeds.nextLong()), windows, probs, totals, ref)[0];
    }
    double p = PeriodicFit.pValue(observed[0], nulls);
    Arrays.sort(nulls);
    return new Result(
        p,
        p < alpha,
        alpha,
        observed[0],
        nulls[nullKeys / 2],
        observed[1],
        observed[2],
        windows.size(),
        n,
        nullKeys);
  }

  private static double[] totals(List<int[]> windows, List<float[]> probs, int vocab, int n) {
    double[] totals = new double[n];
    int at = 0;
    for (int w = 0; w < windows.size(); w++) {
      float[] p = probs.get(w);
      if (p.length != windows.get(w).length * vocab) {
        throw new IllegalArgumentException(
            "window "
                + w
                + ": "
                + p.length
                + " probabilities for "
                + windows.get(w).length
                + " positions of "
                + vocab
                + " tokens");
      }
      for (int position = 0; position < windows.get(w).length; position++, at++) {
        for (int i = 0; i < vocab; i++) {
          totals[at] += p[position * vocab + i];
        }
      }
    }
    return totals;
  }

  /** A reference model's answers and their per-position totals. */
  private record Reference(List<float[]> probs, double[] totals) {}

  /** {R², amplitude, mean group-1 mass} of one key over the probe positions. */
  private static double[] statistic(
      LmWatermarkKey k,
      List<int[]> windows,
      List<float[]> probs,
      double[] totals,
      Reference reference) {
    int n = totals.length;
    int vocab = k.vocabSize();
    boolean[] one = k.groupOne();
    int[] members = new int[vocab / 2];
    int m = 0;
    for (int i = 0; i < vocab; i++) {
      if (one[i]) {
        members[m++] = i;
      }
    }
    double[] y = new double[n];
    double[] angles = new double[n];
    double meanMass = 0;
    int at = 0;
    for (int w = 0; w < windows.size(); w++) {
      int[] ids = windows.get(w);
      float[] p = probs.get(w);
      for (int position = 0; position < ids.length; position++) {
        int base = position * vocab;
        double total = totals[at];
        double first = 0;
        for (int i = 0; i < m; i++) {
          first += p[base + members[i]];
        }
        double rest = Math.max(0, total - first);
        y[at] = Math.log((first + MASS_FLOOR) / (rest + MASS_FLOOR));
        if (reference != null) {
          float[] r = reference.probs().get(w);
          double refFirst = 0;
          for (int i = 0; i < m; i++) {
            refFirst += r[base + members[i]];
          }
          double refRest = Math.max(0, reference.totals()[at] - refFirst);
          y[at] -= Math.log((refFirst + MASS_FLOOR) / (refRest + MASS_FLOOR));
        }
        meanMass += total > 0 ? first / total : 0;
        angles[at] = 2 * Math.PI * k.frequency() * k.hash(ids, position);
        at++;
      }
    }
    double[] fit = PeriodicFit.fit(angles, y);
    return new double[] {fit[0], fit[1], meanMass / n};
  }
}
