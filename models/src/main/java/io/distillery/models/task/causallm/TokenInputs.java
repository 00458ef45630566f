package io.distillery.models.task.causallm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.models.runtime.OwnedArrays;
import io.distillery.models.task.StudentInputs;

/**
 * A batch of token sequences, right-padded to the longest: ids and attention mask (examples,
 * length). The decoder's (examples, length, vocab) logits become one row per trained position by
 * taking the rows {@code rowIndex} of the flattened (examples × length, vocab) logits, so padding
 * never reaches the loss.
 *
 * @param ids token ids, row-major (examples, length), 0 on padding
 * @param mask 1 on a real token, 0 on padding
 * @param examples sequences in the batch
 * @param length padded length
 * @param rowIndex flattened index (example × length + position) of each trained position, in the
 *     order of the targets
 * @param vocab vocabulary size
 */
public record TokenInputs(
    long[] ids, long[] mask, int examples, int length, long[] rowIndex, int vocab)
    implements StudentInputs {

  @Override
  public NDList toNDList(NDManager manager) {
    Shape shape = new Shape(examples, length);
    return new NDList(
        OwnedArrays.own(manager.create(ids, shape), DataType.INT64),
        OwnedArrays.own(manager.create(mask, shape), DataType.INT64));
  }

  @Override
  public NDArray outputRows(NDArray output) {
    NDArray flat = output.reshape(-1, vocab);
    if (rowIndex.length == (long) examples * length && isIdentity()) {
      return flat;
    }
    NDArray index = OwnedArrays.own(output.getManager().create(rowIndex), DataType.INT64);
    return flat.get(index);
  }

  /** Tokens trained on (rows of the loss). */
  public int positions() {
    return rowIndex.length;
  }

  private boolean isIdentity() {
    for (int i = 0; i < rowIndex.length; i++) {
      if (rowIndex[i] != i) {
        return false;
      }
    }
    return true;
  }
}
