package io.distillery.labeler.teacher;

import io.distillery.proto.v1.SparseDistribution;
import java.util.List;

/**
 * The teacher's sparse distributions for one sample: one per output position (exactly one for
 * classification).
 */
public record SampleLabel(List<SparseDistribution> positions) {

  public SampleLabel {
    positions = List.copyOf(positions);
  }
}
