package io.distillery.teacher.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

  /** Counters already registered: a registry lookup sorts and hashes the tags on every call. */
  private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

  private record Key(String client, String rpc, String outcome, String reason) {}

  public AccessMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts one decision. */
  public void record(String rpc, Decision decision) {
    counters
        .computeIfAbsent(
            new Key(decision.client(), rpc, decision.outcome(), decision.reason()),
            key ->
                registry.counter(
                    NAME,
                    "client",
                    key.client(),
                    "rpc",
                    key.rpc(),
                    "outcome",
                    key.outcome(),
                    "reason",
                    key.reason()))
        .increment();
  }
}
