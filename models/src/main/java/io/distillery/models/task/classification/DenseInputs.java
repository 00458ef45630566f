package io.distillery.models.task.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.runtime.OwnedArrays;
import io.distillery.models.task.StudentInputs;

/**
 * A batch of dense samples, row-major (examples, sample shape...); the network's (examples,
 * classes) output is already one row per position.
 *
 * @param values the samples' values
 * @param examples samples in the batch
 * @param network the student, for the input shape
 */
public record DenseInputs(float[] values, int examples, NetworkSpec network)
    implements StudentInputs {

  @Override
  public NDList toNDList(NDManager manager) {
    return new NDList(
        OwnedArrays.own(manager.create(values, network.inputShape(examples)), DataType.FLOAT32));
  }

  @Override
  public NDArray outputRows(NDArray output) {
    return output;
  }
}
