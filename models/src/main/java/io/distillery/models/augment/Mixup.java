package io.distillery.models.augment;

import java.util.Random;

/**
 * Mixup (Zhang et al. 2018): {@code λ·x_a + (1−λ)·x_b} with λ ~ Beta(α, α), and the ground truth
 * mixed the same way. The views of the "function matching" recipe (Beyer et al. 2022): between two
 * images the teacher's distribution says far more than either label.
 */
public final class Mixup {

  private Mixup() {}

  /** Writes {@code λ·a + (1−λ)·b} into {@code out}. */
  public static void mix(float[] a, float[] b, float lambda, float[] out) {
    for (int v = 0; v < out.length; v++) {
      out[v] = lambda * a[v] + (1 - lambda) * b[v];
    }
  }

  /** A Beta(a, a) sample from two Gamma(a) samples. */
  public static double beta(Random random, double a) {
    double x = gamma(random, a);
    double y = gamma(random, a);
    return x + y == 0 ? 0.5 : x / (x + y);
  }

  /** Gamma(a, 1) by Marsaglia and Tsang (2000), boosted for a < 1. */
  static double gamma(Random random, double a) {
    if (a < 1) {
      return gamma(random, a + 1) * Math.pow(random.nextDouble(), 1 / a);
    }
    double d = a - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }
}
