package io.distillery.teacher.access;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code distillery_teacher_access_total}: access decisions per client, RPC, outcome ({@code
 * allowed}, {@code unauthenticated}, {@code permission-denied}, {@code resource-exhausted}) and
 * reason. Client ids are those the token issuer minted (or {@code anonymous}), so the tag stays
 * low-cardinality.
 */
@ApplicationScoped
public class AccessMetrics {

  static final String NAME = "distillery_teacher_access";

  private final MeterRegistry registry;

  public AccessMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts one decision. */
  public void record(String rpc, Decision decision) {
    registry
        .counter(
            NAME,
            "client",
            decision.client(),
            "rpc",
            rpc,
            "outcome",
            decision.outcome(),
            "reason",
            decision.reason())
        .increment();
  }
}
