package io.distillery.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import java.util.Locale;

/**
 * The alarm on every update: before the optimizer steps, every parameter's gradient must be finite,
 * and the output layer's bias gradient must stay within what the loss can produce where that bound
 * is known. A failed check means the batch or the computation is corrupt, not that the student is
 * learning badly; the update is dropped and counted ({@code
 * distillery_trainer_updates_dropped_total}), and an alert fires.
 *
 * <p>The bound: per sample, ∂loss/∂z_k = α(q_k − y_k) + (1 − α)·T·(q_k,T − p_k,T) for forward KL,
 * so |·| ≤ α + (1 − α)·T, and the batch mean keeps it. Other divergences have no such simple bound:
 * only finiteness is checked for them.
 */
final class GradientGuard {

  private final float outputBiasBound;

  private GradientGuard(float outputBiasBound) {
    this.outputBiasBound = outputBiasBound;
  }

  /** The guard for a loss: with the output-bias bound when the loss has one. */
  static GradientGuard forLoss(LossSettings settings) {
    if (settings.alpha() < 1 && settings.divergence() != Divergence.FORWARD_KL) {
      return new GradientGuard(Float.POSITIVE_INFINITY);
    }
    float bound = settings.alpha() + (1 - settings.alpha()) * settings.temperature();
    return new GradientGuard(bound * 1.01f + 1e-3f);
  }

  /** The output-bias bound, or infinity when the loss has none. */
  float outputBiasBound() {
    return outputBiasBound;
  }

  /** Checks every parameter's gradient after backward. */
  GradientCheck check(Block block) {
    ParameterList parameters = block.getParameters();
    for (int i = 0; i < parameters.size(); i++) {
      Pair<String, Parameter> parameter = parameters.get(i);
      NDArray weight = parameter.getValue().getArray();
      if (!weight.hasGradient()) {
        continue;
      }
      float largest = largestMagnitude(weight);
      if (!Float.isFinite(largest)) {
        return GradientCheck.failed(
            "gradient of " + parameter.getKey() + " is not finite (largest |g| " + largest + ")");
      }
      boolean outputBias = i == parameters.size() - 1 && parameter.getKey().endsWith("bias");
      if (outputBias && largest > outputBiasBound) {
        return GradientCheck.failed(
            String.format(
                Locale.ROOT,
                "output-bias gradient %.4g above the loss's bound %.2f (%s)",
                largest,
                outputBiasBound,
                parameter.getKey()));
      }
    }
    return GradientCheck.PASSED;
  }

  /** max |g| of a parameter's gradient; NaN when any entry is NaN (max propagates NaN). */
  private static float largestMagnitude(NDArray weight) {
    try (NDArray gradient = weight.getGradient();
        NDArray magnitude = gradient.abs();
        NDArray largest = magnitude.max()) {
      return largest.getFloat();
    }
  }

  /** The verdict on one update. */
  record GradientCheck(boolean passed, String reason) {
    static final GradientCheck PASSED = new GradientCheck(true, "");

    static GradientCheck failed(String reason) {
      return new GradientCheck(false, reason);
    }
  }
}
