package io.distillery.labeler.gate;

/** What the start-up gate decided about a teacher. */
public sealed interface GateDecision {

  /** Label with this plan. */
  record Open(LabelingPlan plan) implements GateDecision {}

  /** Do not consume; {@code reason} says why and what to change. */
  record Blocked(String reason) implements GateDecision {}
}
