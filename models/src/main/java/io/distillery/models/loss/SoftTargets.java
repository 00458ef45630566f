package io.distillery.models.loss;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.models.runtime.OwnedArrays;
import io.distillery.proto.v1.SparseDistribution;
import java.util.Arrays;

/**
 * A batch of teacher distributions for the soft-label loss, one row per sample.
 *
 * <p>A sparse row keeps the teacher's top-k classes with their probabilities; the tail mass (the
 * probability of every other class together) becomes one "rest" bucket that is compared with the
 * student's probability of all non-kept classes together. The loss is then exact on the kept
 * classes and honest about the rest: a student equal to the teacher has zero loss, which
 * renormalised top-k targets cannot reach (NOTES.md). When k equals the number of classes there is
 * no rest bucket and the row is the dense distribution.
 *
 * <p>Kept probabilities and the tail are renormalised to sum to 1, absorbing the fp16 rounding of
 * {@code SparseCodec}.
 *
 * @param rows samples
 * @param classes classes per sample
 * @param probs (rows, classes) teacher probability of each kept class, 0 elsewhere
 * @param kept (rows, classes) 1 where the class is kept, 0 elsewhere
 * @param tail (rows) probability of the rest bucket
 * @param hasRest (rows) 1 when the row has a rest bucket (k below the class count), else 0
 */
public record SoftTargets(
    int rows, int classes, float[] probs, float[] kept, float[] tail, float[] hasRest) {

  /** Checks that the arrays have the declared sizes. */
  public SoftTargets {
    if (probs.length != rows * classes
        || kept.length != rows * classes
        || tail.length != rows
        || hasRest.length != rows) {
      throw new IllegalArgumentException(
          "soft targets of " + rows + " rows × " + classes + " classes have mismatched arrays");
    }
  }

  /** A builder for a batch of up to {@code capacity} rows. */
  public static Builder builder(int classes, int capacity) {
    return new Builder(classes, capacity);
  }

  /**
   * The arrays the loss reads, on {@code manager} in {@code dataType}: probs, kept, tail (rows, 1),
   * hasRest (rows, 1). They are native copies ({@link OwnedArrays}): backward reads them.
   */
  public NDList toNDList(NDManager manager, DataType dataType) {
    Shape matrix = new Shape(rows, classes);
    Shape column = new Shape(rows, 1);
    return new NDList(
        OwnedArrays.own(manager.create(probs, matrix), dataType),
        OwnedArrays.own(manager.create(kept, matrix), dataType),
        OwnedArrays.own(manager.create(tail, column), dataType),
        OwnedArrays.own(manager.create(hasRest, column), dataType));
  }

  /**
   * Re-expresses a complete distribution (k = all classes) at another temperature: p_T'(i) ∝
   * p_T(i)^(T/T'), exact because log p_T(i) = z_i/T − const.
   *
   * @throws IllegalArgumentException when the distribution is not complete: a tail cannot be
   *     re-tempered without the classes inside it
   */
  public static SparseDistribution retemper(
      SparseDistribution distribution, int classes, float fromTemperature, float toTemperature) {
    if (distribution.getIdsCount() < classes) {
      throw new IllegalArgumentException(
          "cannot re-temper top-"
              + distribution.getIdsCount()
              + " of "
              + classes
              + " classes from T="
              + fromTemperature
              + " to T="
              + toTemperature
              + ": the tail's classes are unknown");
    }
    double ratio = (double) fromTemperature / toTemperature;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < distribution.getLogProbsCount(); i++) {
      max = Math.max(max, ratio * distribution.getLogProbs(i));
    }
    double sum = 0;
    for (int i = 0; i < distribution.getLogProbsCount(); i++) {
      sum += Math.exp(ratio * distribution.getLogProbs(i) - max);
    }
    double logNorm = max + Math.log(sum);
    SparseDistribution.Builder out = SparseDistribution.newBuilder().setTailMass(0f);
    for (int i = 0; i < distribution.getIdsCount(); i++) {
      out.addIds(distribution.getIds(i))
          .addLogProbs((float) Math.min(0, ratio * distribution.getLogProbs(i) - logNorm));
    }
    return out.build();
  }

  /** Collects rows; reusable after {@link #build()} only via a new builder. */
  public static final class Builder {
    private final int classes;
    private final float[] probs;
    private final float[] kept;
    private final float[] tail;
    private final float[] hasRest;
    private int rows;

    private Builder(int classes, int capacity) {
      if (classes < 2) {
        throw new IllegalArgumentException("soft targets need at least 2 classes, got " + classes);
      }
      this.classes = classes;
      this.probs = new float[capacity * classes];
      this.kept = new float[capacity * classes];
      this.tail = new float[capacity];
      this.hasRest = new float[capacity];
    }

    /** Rows added so far. */
    public int size() {
      return rows;
    }

    /**
     * Adds a sparse row.
     *
     * @throws IllegalArgumentException naming the field when an id is out of range or repeated, a
     *     log-probability is not finite, or there are no entries; nothing is added then
     */
    public Builder add(SparseDistribution distribution) {
      int k = distribution.getIdsCount();
      if (k == 0 || distribution.getLogProbsCount() != k) {
        throw new IllegalArgumentException(
            "distribution has "
                + k
                + " ids and "
                + distribution.getLogProbsCount()
                + " log_probs; expected the same number, at least 1");
      }
      if (k > classes) {
        throw new IllegalArgumentException(
            "distribution keeps " + k + " entries but there are only " + classes + " classes");
      }
      float tailMass = distribution.getTailMass();
      if (!(tailMass >= 0 && tailMass <= 1)) {
        throw new IllegalArgumentException("tail_mass " + tailMass + " is outside [0, 1]");
      }
      int base = rows * classes;
      double[] p = new double[k];
      double sum = k < classes ? tailMass : 0;
      boolean[] seen = new boolean[classes];
      for (int i = 0; i < k; i++) {
        int id = distribution.getIds(i);
        float logProb = distribution.getLogProbs(i);
        if (id < 0 || id >= classes) {
          throw new IllegalArgumentException("id " + id + " is outside 0.." + (classes - 1));
        }
        if (seen[id]) {
          throw new IllegalArgumentException("id " + id + " appears twice");
        }
        if (!Float.isFinite(logProb) && logProb != Float.NEGATIVE_INFINITY) {
          throw new IllegalArgumentException("log_prob of id " + id + " is " + logProb);
        }
        seen[id] = true;
        p[i] = Math.exp(Math.min(0, logProb));
        sum += p[i];
      }
      if (!(sum > 0)) {
        throw new IllegalArgumentException("distribution has no probability mass");
      }
      Arrays.fill(probs, base, base + classes, 0f);
      Arrays.fill(kept, base, base + classes, 0f);
      for (int i = 0; i < k; i++) {
        int id = distribution.getIds(i);
        probs[base + id] = (float) (p[i] / sum);
        kept[base + id] = 1f;
      }
      tail[rows] = k < classes ? (float) (tailMass / sum) : 0f;
      hasRest[rows] = k < classes ? 1f : 0f;
      rows++;
      return this;
    }

    /**
     * Adds a dense row: a full distribution over all classes.
     *
     * @throws IllegalArgumentException when the length is wrong or a value is negative
     */
    public Builder addDense(float[] distribution) {
      if (distribution.length != classes) {
        throw new IllegalArgumentException(
            "dense distribution has " + distribution.length + " values, expected " + classes);
      }
      double sum = 0;
      for (float v : distribution) {
        if (!(v >= 0)) {
          throw new IllegalArgumentException("dense distribution has a negative value " + v);
        }
        sum += v;
      }
      int base = rows * classes;
      for (int c = 0; c < classes; c++) {
        probs[base + c] = (float) (distribution[c] / sum);
        kept[base + c] = 1f;
      }
      tail[rows] = 0f;
      hasRest[rows] = 0f;
      rows++;
      return this;
    }

    /** The batch of rows added so far. */
    public SoftTargets build() {
      return new SoftTargets(
          rows,
          classes,
          Arrays.copyOf(probs, rows * classes),
          Arrays.copyOf(kept, rows * classes),
          Arrays.copyOf(tail, rows),
          Arrays.copyOf(hasRest, rows));
    }
  }
}
