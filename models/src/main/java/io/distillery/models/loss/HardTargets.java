package io.distillery.models.loss;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.models.runtime.OwnedArrays;
import java.util.Arrays;

/**
 * A batch of ground-truth targets for the hard-label cross-entropy, one row per output position,
 * sparse like {@link SoftTargets}: each row names up to two classes with weights (one class with
 * weight 1 for a plain label, two for a mixup of two images) and a row weight that is 0 for
 * positions without a ground truth, which then contribute only the soft term.
 *
 * @param rows output positions
 * @param classes classes (vocabulary size) per position
 * @param ids (rows, 2) the classes
 * @param classWeights (rows, 2) their weights, summing to 1 in a labelled row
 * @param weight (rows) 1 when the row has a ground truth, else 0
 */
public record HardTargets(int rows, int classes, long[] ids, float[] classWeights, float[] weight) {

  /** Classes a row can name. */
  static final int WIDTH = 2;

  /** Checks the sizes. */
  public HardTargets {
    if (ids.length != rows * WIDTH
        || classWeights.length != rows * WIDTH
        || weight.length != rows) {
      throw new IllegalArgumentException(
          "hard targets of " + rows + " rows have mismatched arrays");
    }
  }

  /** A builder for up to {@code capacity} rows (it grows beyond). */
  public static Builder builder(int classes, int capacity) {
    return new Builder(classes, capacity);
  }

  /** Whether any row has a label. */
  public boolean anyLabelled() {
    for (float w : weight) {
      if (w > 0) {
        return true;
      }
    }
    return false;
  }

  /** The target probability of {@code id} in row {@code row}. */
  public float prob(int row, int id) {
    float p = 0;
    for (int e = row * WIDTH; e < (row + 1) * WIDTH; e++) {
      if (ids[e] == id) {
        p += classWeights[e];
      }
    }
    return p;
  }

  /**
   * ids (rows, 2) int64, class weights (rows, 2) and row weight (rows, 1) on {@code manager}, as
   * native copies ({@link OwnedArrays}): backward reads them.
   */
  public NDList toNDList(NDManager manager, DataType dataType) {
    Shape pairs = new Shape(rows, WIDTH);
    return new NDList(
        OwnedArrays.own(manager.create(ids, pairs), DataType.INT64),
        OwnedArrays.own(manager.create(classWeights, pairs), dataType),
        OwnedArrays.own(manager.create(weight, new Shape(rows, 1)), dataType));
  }

  /** Collects rows. */
  public static final class Builder {
    private final int classes;
    private long[] ids;
    private float[] classWeights;
    private float[] weight;
    private int rows;

    private Builder(int classes, int capacity) {
      this.classes = classes;
      this.ids = new long[Math.max(1, capacity) * WIDTH];
      this.classWeights = new float[ids.length];
      this.weight = new float[Math.max(1, capacity)];
    }

    /**
     * Adds a labelled row.
     *
     * @throws IllegalArgumentException when the label is outside the classes
     */
    public Builder add(int label) {
      checkLabel(label);
      return addRow(label, 1f, label, 0f, 1f);
    }

    /** Adds a row of two labels mixed with weight {@code lambda} on the first (mixup). */
    public Builder addMixed(int first, int second, float lambda) {
      checkLabel(first);
      checkLabel(second);
      return addRow(first, lambda, second, 1 - lambda, 1f);
    }

    /** Adds a row for a ground truth of any kind. */
    public Builder add(HardLabel truth) {
      if (truth.isMixed()) {
        return addMixed(truth.label(), truth.secondLabel(), truth.weight());
      }
      return truth.present() ? add(truth.label()) : addUnlabelled();
    }

    /** Adds a row without a label (weight 0). */
    public Builder addUnlabelled() {
      return addRow(0, 0f, 0, 0f, 0f);
    }

    private Builder addRow(int a, float wa, int b, float wb, float rowWeight) {
      if (rows == weight.length) {
        weight = Arrays.copyOf(weight, rows * 2);
        ids = Arrays.copyOf(ids, weight.length * WIDTH);
        classWeights = Arrays.copyOf(classWeights, ids.length);
      }
      ids[rows * WIDTH] = a;
      ids[rows * WIDTH + 1] = b;
      classWeights[rows * WIDTH] = wa;
      classWeights[rows * WIDTH + 1] = wb;
      weight[rows++] = rowWeight;
      return this;
    }

    private void checkLabel(int label) {
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            "label " + label + " is outside 0.." + (classes - 1) + " classes");
      }
    }

    /** The rows added so far. */
    public HardTargets build() {
      return new HardTargets(
          rows,
          classes,
          Arrays.copyOf(ids, rows * WIDTH),
          Arrays.copyOf(classWeights, rows * WIDTH),
          Arrays.copyOf(weight, rows));
    }
  }
}
