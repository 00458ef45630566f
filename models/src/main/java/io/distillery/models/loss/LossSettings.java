package io.distillery.models.loss;

import io.distillery.proto.v1.LossConfig;

/**
 * The loss of a distillation job:
 *
 * <pre>
 *   loss = alpha · CE(hard label, softmax(z)) + (1 − alpha) · T² · D(P_T ‖ Q_T)
 * </pre>
 *
 * where z are the student's logits, Q_T = softmax(z / T), P_T the teacher's distribution at T and D
 * the {@link Divergence}. <b>alpha is the weight of the hard-label cross-entropy</b>: alpha = 1
 * trains on hard labels only (the "student from scratch" baseline), alpha = 0 on soft labels only.
 * The T² factor (Hinton et al. 2015) keeps the soft gradients' size independent of T.
 *
 * @param divergence the soft-label divergence
 * @param temperature T, > 0
 * @param alpha weight of the hard-label cross-entropy, in [0, 1]
 * @param divergenceParam β of JSD or α of skew KL; NaN for divergences without a parameter
 */
public record LossSettings(
    Divergence divergence, float temperature, float alpha, float divergenceParam) {

  /** Validates every field, naming the one that is wrong. */
  public LossSettings {
    if (divergence == null) {
      throw new IllegalArgumentException("loss divergence is required");
    }
    if (!(temperature > 0) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("loss temperature must be > 0, got " + temperature);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException(
          "loss alpha (weight of the hard-label cross-entropy) must be in [0, 1], got " + alpha);
    }
    divergenceParam = divergence.hasParam() ? divergence.checkParam(divergenceParam) : Float.NaN;
  }

  /** Settings with the divergence's default parameter. */
  public static LossSettings of(Divergence divergence, float temperature, float alpha) {
    return new LossSettings(divergence, temperature, alpha, divergence.defaultParam());
  }

  /**
   * The settings as recorded in checkpoint manifests (parameter 0 when the divergence has none).
   */
  public LossConfig toProto() {
    return LossConfig.newBuilder()
        .setDivergence(divergence.configName())
        .setTemperature(temperature)
        .setAlpha(alpha)
        .setDivergenceParam(divergence.hasParam() ? divergenceParam : 0f)
        .build();
  }

  /** e.g. {@code forward-kl T=2.0 alpha=0.5} or {@code jsd(0.5) T=1.0 alpha=0.0}. */
  @Override
  public String toString() {
    return divergence.configName()
        + (divergence.hasParam() ? "(" + divergenceParam + ")" : "")
        + " T="
        + temperature
        + " alpha="
        + alpha;
  }

  /** Reads settings recorded in a manifest. */
  public static LossSettings fromProto(LossConfig config) {
    return new LossSettings(
        Divergence.fromName(config.getDivergence()),
        config.getTemperature(),
        config.getAlpha(),
        config.getDivergenceParam());
  }
}
