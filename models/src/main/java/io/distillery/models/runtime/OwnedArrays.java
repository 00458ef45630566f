package io.distillery.models.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Arrays whose memory PyTorch allocated itself, for everything a backward pass may read.
 *
 * <p>DJL 0.33's PyTorch engine builds arrays from Java data with {@code torch::from_blob} over a
 * direct buffer, without copying; the buffer is freed once the Java array is closed and collected.
 * Autograd keeps the operands of an op for backward, so an operand whose Java side is gone is read
 * from freed (and possibly reused) memory. The worst case is a Java number as an operand ({@code
 * x.div(t)}): DJL wraps it in such a scalar and closes it as soon as the op returns
 * (NumberOperandHazardTest). Constants and batch data in differentiated graphs therefore come from
 * here. ({@code clip(Number, Number)} is safe: it passes values, not arrays.)
 */
public final class OwnedArrays {

  private final NDManager manager;
  private final DataType dataType;

  /** Scalars of {@code like}'s data type, on {@code like}'s manager. */
  public OwnedArrays(NDArray like) {
    this(like.getManager(), like.getDataType());
  }

  /**
   * Scalars of {@code dataType} on {@code manager}; the manager must stay open until the backward
   * pass has run (a per-step manager does).
   */
  public OwnedArrays(NDManager manager, DataType dataType) {
    this.manager = manager;
    this.dataType = dataType;
  }

  /** A 0-d array holding {@code value} in this data type, in memory PyTorch allocated. */
  public NDArray scalar(double value) {
    try (NDArray wrapped = manager.create(value)) {
      return copyOf(wrapped, dataType);
    }
  }

  /**
   * A native copy of {@code array} in {@code dataType}, on the same manager; {@code array} itself
   * is left open. ({@code toType} alone is not enough: to the same type it returns the same
   * storage.)
   */
  public static NDArray copyOf(NDArray array, DataType dataType) {
    if (array.getDataType() != dataType) {
      return array.toType(dataType, false); // a conversion always allocates
    }
    return array.duplicate(); // torch clone
  }

  /** Replaces {@code array} by a native copy of it in {@code dataType}, closing the original. */
  public static NDArray own(NDArray array, DataType dataType) {
    NDArray copy = copyOf(array, dataType);
    array.close();
    return copy;
  }
}
