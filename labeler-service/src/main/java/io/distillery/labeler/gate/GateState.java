package io.distillery.labeler.gate;

import java.util.Optional;

/**
 * Where the start-up gate stands.
 *
 * @param phase the phase
 * @param reason why the labeler is not consuming; empty when open
 * @param plan the labeling plan when open
 */
public record GateState(Phase phase, String reason, Optional<LabelingPlan> plan) {

  /** The phases of the gate. */
  public enum Phase {
    /** Describing the teacher; it has not answered yet. */
    CONNECTING,
    /** The teacher answered and may not be used; nothing is consumed. */
    BLOCKED,
    /** Consuming and labelling. */
    OPEN
  }

  static GateState connecting(String reason) {
    return new GateState(Phase.CONNECTING, reason, Optional.empty());
  }

  static GateState blocked(String reason) {
    return new GateState(Phase.BLOCKED, reason, Optional.empty());
  }

  static GateState open(LabelingPlan plan) {
    return new GateState(Phase.OPEN, "", Optional.of(plan));
  }

  /** Whether the labeler consumes. */
  public boolean isOpen() {
    return phase == Phase.OPEN;
  }
}
