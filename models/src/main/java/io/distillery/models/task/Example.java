package io.distillery.models.task;

import io.distillery.models.loss.HardLabel;
import io.distillery.proto.v1.SparseDistribution;
import java.util.List;

/**
 * One soft label as a student learns from it: its input and, per output position, the teacher's
 * distribution and the ground truth (a classifier has one position; a language model one per
 * token).
 *
 * @param input what the student reads
 * @param positions the teacher's sparse distribution per output position
 * @param truths the ground truth per output position ({@link HardLabel#none()} where unknown)
 */
public record Example(
    ExampleInput input, List<SparseDistribution> positions, List<HardLabel> truths) {

  /** Checks that every position has a ground truth entry. */
  public Example {
    positions = List.copyOf(positions);
    truths = List.copyOf(truths);
    if (positions.size() != truths.size()) {
      throw new IllegalArgumentException(
          positions.size() + " positions but " + truths.size() + " ground truths");
    }
  }

  /** The same example with other distributions (e.g. re-tempered). */
  public Example withPositions(List<SparseDistribution> newPositions) {
    return new Example(input, newPositions, truths);
  }
}
