package io.distillery.models.loss;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How far the student's softened distribution Q is from the teacher's P. Each is computed over the
 * teacher's kept top-k classes plus one "rest" bucket (see {@link SoftTargets}).
 */
public enum Divergence {
  /** KL(P‖Q): Hinton et al. 2015; mass-covering. No parameter. */
  FORWARD_KL("forward-kl", Float.NaN),
  /** KL(Q‖P): mode-seeking. No parameter. */
  REVERSE_KL("reverse-kl", Float.NaN),
  /**
   * Generalized Jensen-Shannon divergence with β in (0, 1): β·KL(P‖M) + (1−β)·KL(Q‖M), M = β·P +
   * (1−β)·Q (Agarwal et al. 2024, "GKD"); β = 0.5 is the symmetric JSD.
   */
  JSD("jsd", 0.5f),
  /**
   * Skew KL with α in [0, 1): KL(P‖α·P + (1−α)·Q) (Ko et al. 2024, "DistiLLM"); α = 0 is forward
   * KL, larger α bounds the loss and its gradient where Q is near zero.
   */
  SKEW_KL("skew-kl", 0.1f);

  private final String configName;
  private final float defaultParam;

  Divergence(String configName, float defaultParam) {
    this.configName = configName;
    this.defaultParam = defaultParam;
  }

  /** The name used in configuration and in {@code LossConfig.divergence}, e.g. {@code jsd}. */
  public String configName() {
    return configName;
  }

  /** Whether the divergence takes a parameter (β of JSD, α of skew KL). */
  public boolean hasParam() {
    return !Float.isNaN(defaultParam);
  }

  /** The parameter used when none is configured; NaN for divergences without one. */
  public float defaultParam() {
    return defaultParam;
  }

  /**
   * Checks a parameter value for this divergence.
   *
   * @throws IllegalArgumentException naming the divergence, the value and the allowed range
   */
  public float checkParam(float value) {
    switch (this) {
      case JSD -> {
        if (!(value > 0 && value < 1)) {
          throw new IllegalArgumentException(
              "jsd needs its beta (divergence-param) in (0, 1), got " + value);
        }
      }
      case SKEW_KL -> {
        if (!(value >= 0 && value < 1)) {
          throw new IllegalArgumentException(
              "skew-kl needs its alpha (divergence-param) in [0, 1), got " + value);
        }
      }
      default -> {
        // No parameter: whatever was given is ignored.
      }
    }
    return value;
  }

  /**
   * Parses a configuration name.
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static Divergence fromName(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Divergence d : values()) {
      if (d.configName.equals(wanted)) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "unknown divergence '"
            + name
            + "', expected one of "
            + Arrays.stream(values())
                .map(Divergence::configName)
                .collect(Collectors.joining(", ")));
  }
}
