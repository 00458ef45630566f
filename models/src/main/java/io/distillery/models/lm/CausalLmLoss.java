package io.distillery.models.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Next-token cross-entropy: the mean of −log p(target) over the positions of a batch, in nats. The
 * labels are the targets (batch, seq) int64, optionally followed by a weight per position (batch,
 * seq) in the predictions' type (1 = scored, 0 = padding); the prediction is the logits (batch,
 * seq, vocab).
 */
public final class CausalLmLoss extends Loss {

  /** Creates the loss, named {@code next_token_ce}. */
  public CausalLmLoss() {
    super("next_token_ce");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow();
    NDArray targets = labels.get(0);
    NDArray logProbs = logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
    if (labels.size() < 2) {
      return logProbs.mean().neg();
    }
    NDArray weights = labels.get(1);
    return logProbs.mul(weights).sum().div(weights.sum()).neg();
  }
}
