package io.distillery.cli.observability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks that every dashboard and rule query returns data from a real Prometheus. */
public final class ObservabilityCheck {

  /** How long queries that return nothing are retried (rate() needs two samples). */
  public static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(15);

  private ObservabilityCheck() {}

  /** {@link #emptyQueries(PrometheusServer, PromQlCatalog, Duration)} with default patience. */
  public static List<String> emptyQueries(PrometheusServer prometheus, PromQlCatalog catalog) {
    return emptyQueries(prometheus, catalog, DEFAULT_PATIENCE);
  }

  /**
   * A description of each query that returned no series (or was rejected by Prometheus): all
   * queries once, then the empty ones again every second until {@code patience} has passed.
   */
  public static List<String> emptyQueries(
      PrometheusServer prometheus, PromQlCatalog catalog, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    Map<PromQlCatalog.Query, String> failing = new LinkedHashMap<>();
    for (PromQlCatalog.Query query : catalog.queries()) {
      failing.put(query, null);
    }
    while (true) {
      for (PromQlCatalog.Query query : new ArrayList<>(failing.keySet())) {
        String problem = check(prometheus, query);
        if (problem == null) {
          failing.remove(query);
        } else {
          failing.put(query, problem);
        }
      }
      if (failing.isEmpty() || System.nanoTime() >= deadline) {
        break;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<String> descriptions = new ArrayList<>();
    failing.forEach((query, problem) -> descriptions.add(problem + ": " + query.describe()));
    return descriptions;
  }

  private static String check(PrometheusServer prometheus, PromQlCatalog.Query query) {
    try {
      return prometheus.query(query.expr()) > 0 ? null : "no series";
    } catch (IllegalArgumentException e) {
      return "rejected (" + e.getMessage() + ")";
    }
  }
}
