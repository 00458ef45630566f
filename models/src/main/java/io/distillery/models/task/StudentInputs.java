package io.distillery.models.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A batch of inputs in the form a task's students take, and how their output becomes one row of
 * logits per output position — the rows {@link io.distillery.models.loss.SoftTargets} and {@link
 * io.distillery.models.loss.HardTargets} describe.
 */
public interface StudentInputs {

  /** Examples in the batch. */
  int examples();

  /**
   * The network's input arrays, as native copies (backward reads them).
   *
   * @param manager the step's manager
   */
  NDList toNDList(NDManager manager);

  /**
   * The network's output as (rows, classes) logits, one row per output position, in the order of
   * the targets.
   */
  NDArray outputRows(NDArray output);
}
