package io.distillery.cli.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scraping itself, with deploy/prometheus/rules.yml loaded. Fails (does not skip)
 * when Prometheus is not installed.
 */
class PrometheusServerTest {

  private static PrometheusServer prometheus;

  @BeforeAll
  static void start() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    prometheus =
        PrometheusServer.builder()
            .port(port)
            .job("prometheus", List.of("127.0.0.1:" + port), "/metrics")
            .ruleFile(PromQlCatalog.repositoryRoot().resolve("deploy/prometheus/rules.yml"))
            .start();
    prometheus.awaitTargetsUp(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @Test
  void scrapesItselfAndLoadsTheRules() {
    assertEquals(1, prometheus.query("up{job=\"prometheus\"} == 1"));
    // Both groups of rules.yml are loaded and evaluated.
    assertEquals(2, prometheus.query("count by (rule_group) (prometheus_rule_group_rules)"));
  }

  @Test
  void rejectedQueriesThrowWithPrometheusMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> prometheus.query("sum(("));
    assertTrue(e.getMessage().contains("bad_data"), e.getMessage());
  }

  @Test
  void emptyQueriesAreListedWithTheirOrigin() {
    PromQlCatalog catalog =
        PromQlCatalog.of(
            List.of(
                new PromQlCatalog.Query("test", "present", "prometheus_build_info"),
                new PromQlCatalog.Query(
                    "test", "rate after two scrapes", "rate(prometheus_http_requests_total[1m])"),
                new PromQlCatalog.Query("test", "absent", "no_such_metric_total"),
                new PromQlCatalog.Query("test", "broken", "sum((")));
    List<String> empty =
        ObservabilityCheck.emptyQueries(prometheus, catalog, Duration.ofSeconds(3));
    assertEquals(2, empty.size(), empty.toString());
    assertTrue(empty.get(0).startsWith("no series: test — absent"), empty.get(0));
    assertTrue(empty.get(1).startsWith("rejected ("), empty.get(1));
  }
}
