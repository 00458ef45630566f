package io.distillery.teacherclient;

import io.distillery.proto.v1.SparseDistribution;
import java.util.List;

/**
 * The teacher's sparse distributions for one sample: one per output position (exactly one for
 * classification), and the tokens it generated when asked to.
 */
public record SampleLabel(List<SparseDistribution> positions, List<Integer> generatedIds) {

  /** Copies the lists. */
  public SampleLabel {
    positions = List.copyOf(positions);
    generatedIds = List.copyOf(generatedIds);
  }

  /** A label without generated tokens. */
  public SampleLabel(List<SparseDistribution> positions) {
    this(positions, List.of());
  }
}
