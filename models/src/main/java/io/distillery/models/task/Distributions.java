package io.distillery.models.task;

import io.distillery.models.task.InvalidExampleException.Problem;
import io.distillery.proto.v1.SparseDistribution;

/** Checks of a decoded sparse distribution that every task makes. */
public final class Distributions {

  private Distributions() {}

  /**
   * Checks entries, tail mass, log-probabilities and ids against the output size.
   *
   * @throws InvalidExampleException (BAD_DISTRIBUTION) naming the value
   */
  public static void check(SparseDistribution d, int outputSize) throws InvalidExampleException {
    if (d.getIdsCount() == 0) {
      throw new InvalidExampleException(Problem.BAD_DISTRIBUTION, "distribution has no entries");
    }
    if (!(d.getTailMass() >= 0 && d.getTailMass() <= 1)) {
      throw new InvalidExampleException(
          Problem.BAD_DISTRIBUTION, "tail_mass " + d.getTailMass() + " is outside [0, 1]");
    }
    for (int i = 0; i < d.getLogProbsCount(); i++) {
      float logProb = d.getLogProbs(i);
      if (Float.isNaN(logProb) || logProb > 1e-3f) {
        throw new InvalidExampleException(
            Problem.BAD_DISTRIBUTION, "log_prob " + logProb + " is not a log-probability");
      }
    }
    for (int i = 0; i < d.getIdsCount(); i++) {
      int id = d.getIds(i);
      if (id >= outputSize) {
        throw new InvalidExampleException(
            Problem.BAD_DISTRIBUTION,
            "distribution id " + id + " is outside the card's output size " + outputSize);
      }
    }
  }
}
