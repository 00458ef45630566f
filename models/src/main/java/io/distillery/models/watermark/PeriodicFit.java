package io.distillery.models.watermark;

/**
 * The statistic shared by the watermark detectors: how much of a signal's variance a cosine of a
 * known frequency explains, phase-free, and the Monte Carlo p-value of a key's statistic among null
 * keys'.
 */
public final class PeriodicFit {

  private PeriodicFit() {}

  /**
   * The least-squares fit {@code y ~ a + b·cos(θ) + c·sin(θ)}.
   *
   * @param angles {@code θ_i}, the signal's angle at each sample (frequency × position + nothing:
   *     the phase is fitted)
   * @param y the observed values
   * @return {R², amplitude sqrt(b² + c²)}; {0, 0} when y or the regressors are constant
   */
  public static double[] fit(double[] angles, double[] y) {
    int n = y.length;
    if (angles.length != n) {
      throw new IllegalArgumentException(angles.length + " angles for " + n + " values");
    }
    // Normal equations of the 3-parameter fit, on centred y.
    double meanY = 0;
    for (double v : y) {
      meanY += v;
    }
    meanY /= n;
    double sc = 0, ss = 0, scc = 0, sss = 0, scs = 0, syc = 0, sys = 0, syy = 0;
    for (int i = 0; i < n; i++) {
      double c = Math.cos(angles[i]);
      double s = Math.sin(angles[i]);
      double yi = y[i] - meanY;
      sc += c;
      ss += s;
      scc += c * c;
      sss += s * s;
      scs += c * s;
      syc += yi * c;
      sys += yi * s;
      syy += yi * yi;
    }
    // Centre the regressors too (the intercept absorbs their means).
    double mc = sc / n, ms = ss / n;
    double cc = scc - n * mc * mc;
    double sSs = sss - n * ms * ms;
    double cs = scs - n * mc * ms;
    double det = cc * sSs - cs * cs;
    if (syy <= 0 || det <= 1e-12 * Math.max(1, cc * sSs)) {
      return new double[] {0, 0};
    }
    double b = (syc * sSs - sys * cs) / det;
    double c = (sys * cc - syc * cs) / det;
    double explained = b * syc + c * sys;
    return new double[] {Math.max(0, explained / syy), Math.hypot(b, c)};
  }

  /**
   * The Monte Carlo p-value {@code (1 + #{null ≥ observed}) / (K + 1)}: valid whenever the key was
   * drawn from the same distribution as the K null keys, independently of the suspect.
   */
  public static double pValue(double observed, double[] nulls) {
    int atLeast = 0;
    for (double v : nulls) {
      if (v >= observed) {
        atLeast++;
      }
    }
    return (1.0 + atLeast) / (nulls.length + 1.0);
  }
}
