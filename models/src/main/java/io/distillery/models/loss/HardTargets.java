package io.distillery.models.loss;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.models.runtime.OwnedArrays;
import java.util.Arrays;

/**
 * A batch of ground-truth targets for the hard-label cross-entropy: a distribution per row (one-hot
 * for a plain label, two classes for a mixup of two images) and a weight that is 0 for samples
 * without a label, which then contribute only the soft term.
 *
 * @param rows samples
 * @param classes classes per sample
 * @param probs (rows, classes) target distribution
 * @param weight (rows) 1 when the sample has a label, else 0
 */
public record HardTargets(int rows, int classes, float[] probs, float[] weight) {

  /** Checks the sizes. */
  public HardTargets {
    if (probs.length != rows * classes || weight.length != rows) {
      throw new IllegalArgumentException(
          "hard targets of " + rows + " rows × " + classes + " classes have mismatched arrays");
    }
  }

  /** A builder for up to {@code capacity} rows. */
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

  /**
   * probs (rows, classes) and weight (rows, 1) on {@code manager}, as native copies ({@link
   * OwnedArrays}): backward reads them.
   */
  public NDList toNDList(NDManager manager, DataType dataType) {
    return new NDList(
        OwnedArrays.own(manager.create(probs, new Shape(rows, classes)), dataType),
        OwnedArrays.own(manager.create(weight, new Shape(rows, 1)), dataType));
  }

  /** Collects rows. */
  public static final class Builder {
    private final int classes;
    private final float[] probs;
    private final float[] weight;
    private int rows;

    private Builder(int classes, int capacity) {
      this.classes = classes;
      this.probs = new float[capacity * classes];
      this.weight = new float[capacity];
    }

    /**
     * Adds a labelled row.
     *
     * @throws IllegalArgumentException when the label is outside the classes
     */
    public Builder add(int label) {
      checkLabel(label);
      probs[rows * classes + label] = 1f;
      weight[rows++] = 1f;
      return this;
    }

    /** Adds a row of two labels mixed with weight {@code lambda} on the first (mixup). */
    public Builder addMixed(int first, int second, float lambda) {
      checkLabel(first);
      checkLabel(second);
      probs[rows * classes + first] += lambda;
      probs[rows * classes + second] += 1 - lambda;
      weight[rows++] = 1f;
      return this;
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
      weight[rows++] = 0f;
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
          rows, classes, Arrays.copyOf(probs, rows * classes), Arrays.copyOf(weight, rows));
    }
  }
}
