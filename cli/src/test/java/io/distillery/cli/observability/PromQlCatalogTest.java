package io.distillery.cli.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The query catalog of deploy/, and the parsing rules it relies on. No service needed. */
class PromQlCatalogTest {

  private static final PromQlCatalog CATALOG = PromQlCatalog.load(PromQlCatalog.repositoryRoot());

  @Test
  void findsEveryDashboardAndRuleQuery() {
    List<PromQlCatalog.Query> queries = CATALOG.queries();
    long files = CATALOG.panels().stream().map(PromQlCatalog.Panel::file).distinct().count();
    assertEquals(4, files, "dashboards");
    assertEquals(49, CATALOG.panels().size(), "panels");
    long panelQueries = queries.stream().filter(q -> q.origin().startsWith("panel")).count();
    long recording = queries.stream().filter(q -> q.origin().startsWith("recording")).count();
    long alertOperands = queries.stream().filter(q -> q.origin().startsWith("alert")).count();
    assertEquals(71, panelQueries, "dashboard targets");
    assertEquals(8, recording, "recording rules");
    assertEquals(13, alertOperands, "alert operands (10 alerts)");
    assertEquals(92, queries.size());
  }

  @Test
  void everyPanelHasAQuery() {
    for (PromQlCatalog.Panel panel : CATALOG.panels()) {
      assertFalse(panel.exprs().isEmpty(), panel.file() + ": panel \"" + panel.title() + "\"");
    }
  }

  @Test
  void everyQueryIsSubstitutedAndParsesIntoKnownNames() throws IOException {
    Set<String> documented = documentedNames();
    List<String> problems = new ArrayList<>();
    for (PromQlCatalog.Query query : CATALOG.rawExpressions()) {
      String expr = PromQlCatalog.substituteVariables(query.expr(), query.describe());
      Set<String> names = PromQlCatalog.metricNames(expr);
      if (names.isEmpty()) {
        problems.add("selects no metric: " + query.describe());
      }
      for (String name : names) {
        boolean known =
            name.contains(":") ? CATALOG.recordedNames().contains(name) : documented.contains(name);
        if (!known) {
          problems.add(name + " is not in docs/metrics.md (or rules.yml): " + query.describe());
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void everyRecordingRuleIsDocumented() throws IOException {
    Set<String> documented = documentedNames();
    Set<String> missing = new TreeSet<>(CATALOG.recordedNames());
    missing.removeAll(documented);
    assertTrue(missing.isEmpty(), "recording rules missing from docs/metrics.md: " + missing);
  }

  @Test
  void queriesSentToPrometheusHaveNoVariablesLeft() {
    for (PromQlCatalog.Query query : CATALOG.queries()) {
      assertFalse(query.expr().contains("$"), query.describe());
      assertFalse(query.expr().contains("[["), query.describe());
    }
  }

  @Test
  void variablesAreReplacedByTheDocumentedRule() {
    assertEquals(
        "sum(rate(x_total{exported_job=~\".*\"}[1m])) + y{a=~\".*\"}[1m]",
        PromQlCatalog.substituteVariables(
            "sum(rate(x_total{exported_job=~\"$distill_job\"}[$__rate_interval]))"
                + " + y{a=~\"${v:regex}\"}[${__range}]",
            "test"));
    assertThrows(
        IllegalArgumentException.class,
        () -> PromQlCatalog.substituteVariables("x{job=\"$job\"}", "test"));
    assertThrows(
        IllegalArgumentException.class,
        () -> PromQlCatalog.substituteVariables("topk($n, x)", "test"));
  }

  @Test
  void alertExpressionsSplitIntoOperands() {
    assertEquals(List.of("up{job=~\"a|b\"}"), PromQlCatalog.alertOperands("up{job=~\"a|b\"} == 0"));
    assertEquals(
        List.of("changes(step[15m])", "running"),
        PromQlCatalog.alertOperands(
            "changes(step[15m]) == 0\nand on (job, instance) running == 1"));
    assertEquals(
        List.of("latest", "promoted - 0.02"),
        PromQlCatalog.alertOperands("latest\n< promoted - 0.02"));
    assertEquals(
        List.of("a / on () group_left sum(b)"),
        PromQlCatalog.alertOperands("a / on () group_left sum(b) > 0.01"));
    assertEquals(
        List.of("x{reason!=\"q\",le=\"0.5\"}", "y"),
        PromQlCatalog.alertOperands("x{reason!=\"q\",le=\"0.5\"} >= bool 1 unless y"));
    assertEquals(
        List.of("sum by (reason) (rate(x[5m]))"),
        PromQlCatalog.alertOperands("sum by (reason) (rate(x[5m])) > 1e-3"));
  }

  @Test
  void metricNamesSkipFunctionsLabelsAndKeywords() {
    assertEquals(
        Set.of("distillery_teacher_inference_seconds_bucket"),
        PromQlCatalog.metricNames(
            "histogram_quantile(0.99, sum by (job, le) (rate("
                + "distillery_teacher_inference_seconds_bucket{outcome=\"ok\"}[5m])))"));
    assertEquals(
        Set.of("a:b:rate5m", "c_total", "up"),
        PromQlCatalog.metricNames(
            "a:b:rate5m / on () group_left sum without (x) (c_total offset 5m) and up == bool 0"));
  }

  /** Every backticked name in docs/metrics.md. */
  private static Set<String> documentedNames() throws IOException {
    String doc = Files.readString(PromQlCatalog.repositoryRoot().resolve("docs/metrics.md"));
    Matcher m = Pattern.compile("`([A-Za-z_:][A-Za-z0-9_:]*)`").matcher(doc);
    return m.results().map(r -> r.group(1)).collect(Collectors.toSet());
  }
}
