package io.distillery.models.loss;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.models.runtime.OwnedArrays;
import io.distillery.proto.v1.SparseDistribution;
import java.util.Arrays;

/**
 * A batch of teacher distributions for the soft-label loss, one row per output position (a sample
 * of a classifier, a token of a language model), kept sparse: never a dense rows × vocabulary
 * array, which would be gigabytes at language-model sizes. The loss gathers the student's
 * log-probabilities at the kept ids.
 *
 * <p>A row keeps the teacher's top-k ids with their probabilities; the tail mass (the probability
 * of every other id together) becomes one "rest" bucket compared with the student's probability of
 * all non-kept ids together. The loss is then exact on the kept ids and honest about the rest: a
 * student equal to the teacher has zero loss, which renormalised top-k targets cannot reach
 * (NOTES.md). When k equals the number of classes there is no rest bucket.
 *
 * <p>Rows keep up to {@code width} entries; shorter rows are padded by repeating their first id
 * with probability 0 and {@code valid} 0. Kept probabilities and the tail are renormalised to sum
 * to 1, absorbing the fp16 rounding of {@code SparseCodec}.
 *
 * @param rows output positions
 * @param classes classes (vocabulary size) per position
 * @param width entries per row, the largest k in the batch
 * @param ids (rows, width) kept ids
 * @param probs (rows, width) teacher probability of each kept id, 0 for padding
 * @param valid (rows, width) 1 for a kept entry, 0 for padding
 * @param tail (rows) probability of the rest bucket
 * @param hasRest (rows) 1 when the row has a rest bucket (k below the class count), else 0
 */
public record SoftTargets(
    int rows,
    int classes,
    int width,
    long[] ids,
    float[] probs,
    float[] valid,
    float[] tail,
    float[] hasRest) {

  /** Checks that the arrays have the declared sizes. */
  public SoftTargets {
    if (ids.length != rows * width
        || probs.length != rows * width
        || valid.length != rows * width
        || tail.length != rows
        || hasRest.length != rows) {
      throw new IllegalArgumentException(
          "soft targets of " + rows + " rows × " + width + " entries have mismatched arrays");
    }
  }

  /** A builder for a batch of up to {@code capacity} rows over {@code classes} classes. */
  public static Builder builder(int classes, int capacity) {
    return new Builder(classes, capacity);
  }

  /**
   * The arrays the loss reads, on {@code manager}: ids (rows, width) int64, probs and valid (rows,
   * width), tail and hasRest (rows, 1) in {@code dataType}. They are native copies ({@link
   * OwnedArrays}): backward reads them.
   */
  public NDList toNDList(NDManager manager, DataType dataType) {
    Shape matrix = new Shape(rows, width);
    Shape column = new Shape(rows, 1);
    return new NDList(
        OwnedArrays.own(manager.create(ids, matrix), DataType.INT64),
        OwnedArrays.own(manager.create(probs, matrix), dataType),
        OwnedArrays.own(manager.create(valid, matrix), dataType),
        OwnedArrays.own(manager.create(tail, column), dataType),
        OwnedArrays.own(manager.create(hasRest, column), dataType));
  }

  /** The teacher's probability of {@code id} in row {@code row}, 0 when it is not kept. */
  public float prob(int row, int id) {
    for (int e = row * width; e < (row + 1) * width; e++) {
      if (valid[e] > 0 && ids[e] == id) {
        return probs[e];
      }
    }
    return 0f;
  }

  /** Whether row {@code row} keeps {@code id}. */
  public boolean keeps(int row, int id) {
    for (int e = row * width; e < (row + 1) * width; e++) {
      if (valid[e] > 0 && ids[e] == id) {
        return true;
      }
    }
    return false;
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

  /** Collects rows. */
  public static final class Builder {
    private final int classes;
    private int[][] rowIds;
    private float[][] rowProbs;
    private float[] tail;
    private float[] hasRest;
    private int rows;
    private int width = 1;

    private Builder(int classes, int capacity) {
      if (classes < 2) {
        throw new IllegalArgumentException("soft targets need at least 2 classes, got " + classes);
      }
      this.classes = classes;
      this.rowIds = new int[capacity][];
      this.rowProbs = new float[capacity][];
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
      int[] ids = new int[k];
      double[] p = new double[k];
      double sum = k < classes ? tailMass : 0;
      for (int i = 0; i < k; i++) {
        int id = distribution.getIds(i);
        float logProb = distribution.getLogProbs(i);
        if (id < 0 || id >= classes) {
          throw new IllegalArgumentException("id " + id + " is outside 0.." + (classes - 1));
        }
        for (int j = 0; j < i; j++) {
          if (ids[j] == id) {
            throw new IllegalArgumentException("id " + id + " appears twice");
          }
        }
        if (!Float.isFinite(logProb) && logProb != Float.NEGATIVE_INFINITY) {
          throw new IllegalArgumentException("log_prob of id " + id + " is " + logProb);
        }
        ids[i] = id;
        p[i] = Math.exp(Math.min(0, logProb));
        sum += p[i];
      }
      if (!(sum > 0)) {
        throw new IllegalArgumentException("distribution has no probability mass");
      }
      float[] probs = new float[k];
      for (int i = 0; i < k; i++) {
        probs[i] = (float) (p[i] / sum);
      }
      return addRow(ids, probs, k < classes ? (float) (tailMass / sum) : 0f, k < classes);
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
      int[] ids = new int[classes];
      float[] probs = new float[classes];
      for (int c = 0; c < classes; c++) {
        ids[c] = c;
        probs[c] = (float) (distribution[c] / sum);
      }
      return addRow(ids, probs, 0f, false);
    }

    private Builder addRow(int[] ids, float[] probs, float tailMass, boolean rest) {
      if (rows == rowIds.length) {
        int capacity = Math.max(4, rows * 2);
        rowIds = Arrays.copyOf(rowIds, capacity);
        rowProbs = Arrays.copyOf(rowProbs, capacity);
        tail = Arrays.copyOf(tail, capacity);
        hasRest = Arrays.copyOf(hasRest, capacity);
      }
      rowIds[rows] = ids;
      rowProbs[rows] = probs;
      tail[rows] = tailMass;
      hasRest[rows] = rest ? 1f : 0f;
      width = Math.max(width, ids.length);
      rows++;
      return this;
    }

    /** The batch of rows added so far. */
    public SoftTargets build() {
      long[] ids = new long[rows * width];
      float[] probs = new float[rows * width];
      float[] valid = new float[rows * width];
      for (int r = 0; r < rows; r++) {
        int base = r * width;
        int k = rowIds[r].length;
        for (int e = 0; e < width; e++) {
          // Padding repeats the first id: scattering the rest mask writes the same value twice.
          ids[base + e] = rowIds[r][e < k ? e : 0];
          if (e < k) {
            probs[base + e] = rowProbs[r][e];
            valid[base + e] = 1f;
          }
        }
      }
      return new SoftTargets(
          rows,
          classes,
          width,
          ids,
          probs,
          valid,
          Arrays.copyOf(tail, rows),
          Arrays.copyOf(hasRest, rows));
    }
  }
}
