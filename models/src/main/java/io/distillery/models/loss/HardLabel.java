package io.distillery.models.loss;

/**
 * The ground truth of one classification sample: a class, a mixup of two classes, or none.
 *
 * @param label the (first) class, or -1 for none
 * @param secondLabel the second class of a mixup, or -1
 * @param weight weight of {@code label}; 1 − weight goes to {@code secondLabel}
 */
public record HardLabel(int label, int secondLabel, float weight) {

  private static final HardLabel NONE = new HardLabel(-1, -1, 0f);

  /** Checks that the fields describe one of the three cases. */
  public HardLabel {
    if (label < 0 && (label != -1 || secondLabel != -1)) {
      throw new IllegalArgumentException(
          "a hard label needs a class >= 0 before a second one, got " + label + ", " + secondLabel);
    }
    if (secondLabel >= 0 && !(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("mixup weight must be in [0, 1], got " + weight);
    }
  }

  /** No ground truth: the sample contributes only its soft term. */
  public static HardLabel none() {
    return NONE;
  }

  /** One class. */
  public static HardLabel of(int label) {
    return label < 0 ? NONE : new HardLabel(label, -1, 1f);
  }

  /** {@code weight} on {@code first}, the rest on {@code second}. */
  public static HardLabel mixed(int first, int second, float weight) {
    return new HardLabel(first, second, weight);
  }

  /** Whether there is a ground truth. */
  public boolean present() {
    return label >= 0;
  }

  /** Whether it mixes two classes. */
  public boolean isMixed() {
    return secondLabel >= 0;
  }
}
