package io.distillery.cli.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL query of the Grafana dashboards ({@code deploy/grafana/dashboards/*.json}) and the
 * Prometheus rules ({@code deploy/prometheus/rules.yml}), ready to be sent to a real Prometheus.
 *
 * <p>The rules (also in deploy/prometheus/README.md):
 *
 * <ul>
 *   <li>Dashboard targets: Grafana's built-in interval variables ({@code $__rate_interval}, {@code
 *       $__interval}, {@code $__range}, ...) become {@code 1m}; template variables ({@code $name},
 *       {@code ${name}}, {@code ${name:fmt}}, {@code [[name]]}) become {@code .*} and may appear
 *       only inside a regex matcher ({@code label=~"$name"}), so that "all values" is exactly what
 *       the substitution selects. A variable anywhere else is an error.
 *   <li>Recording rules: the expression as written.
 *   <li>Alerting rules: the expression is split at its top-level {@code and}/{@code or}/{@code
 *       unless} and then at its top-level comparisons ({@code == != > < >= <=}, with any {@code
 *       bool}/{@code on}/{@code ignoring}/{@code group_left}/{@code group_right} modifier); every
 *       resulting operand that is not a number is a query of its own. A healthy system makes an
 *       alert's expression empty, but each of its operands must return series, or the alert could
 *       never fire (a typo in a metric name, a label that does not exist).
 * </ul>
 */
public final class PromQlCatalog {

  /** Where a query came from, what it is and the PromQL sent to Prometheus. */
  public record Query(String file, String origin, String expr) {
    /** A one-line description for error messages. */
    public String describe() {
      return file + " — " + origin + ": " + expr;
    }
  }

  /** A dashboard panel (rows excluded) and its raw target expressions. */
  public record Panel(String file, String title, String type, List<String> exprs) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern BUILTIN = Pattern.compile("\\$\\{?__[A-Za-z_]+(?::[A-Za-z_]+)?\\}?");
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{(\\w+)(?::\\w+)?\\}|\\$(\\w+)|\\[\\[(\\w+)(?::\\w+)?\\]\\]");
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?(?i:inf|nan)");
  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "inf",
          "nan",
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "atan2");
  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private final List<Query> queries;
  private final List<Panel> panels;
  private final List<Query> rawExpressions;
  private final Set<String> recordedNames;

  private PromQlCatalog(
      List<Query> queries, List<Panel> panels, List<Query> raw, Set<String> recordedNames) {
    this.queries = List.copyOf(queries);
    this.panels = List.copyOf(panels);
    this.rawExpressions = List.copyOf(raw);
    this.recordedNames = Set.copyOf(recordedNames);
  }

  /** A catalog of the given queries only (no panels, no rules). */
  public static PromQlCatalog of(List<Query> queries) {
    return new PromQlCatalog(queries, List.of(), queries, Set.of());
  }

  /** The repository root: system property {@code distillery.root}, else the module's parent. */
  public static Path repositoryRoot() {
    String configured = System.getProperty("distillery.root");
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of("").toAbsolutePath().getParent();
  }

  /** Loads the catalog of the repository at {@code root}. */
  public static PromQlCatalog load(Path root) {
    List<Query> queries = new ArrayList<>();
    List<Panel> panels = new ArrayList<>();
    List<Query> raw = new ArrayList<>();
    Set<String> recorded = new LinkedHashSet<>();
    Path dashboards = root.resolve("deploy/grafana/dashboards");
    try (Stream<Path> files = Files.list(dashboards)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String name = root.relativize(file).toString();
        JsonNode dashboard = JSON.readTree(file.toFile());
        collectPanels(name, dashboard.path("panels"), panels, queries, raw);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboards in " + dashboards, e);
    }
    Path rulesFile = root.resolve("deploy/prometheus/rules.yml");
    String rulesName = root.relativize(rulesFile).toString();
    try {
      for (JsonNode group : YAML.readTree(rulesFile.toFile()).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          String expr = rule.path("expr").asText().strip();
          if (rule.has("record")) {
            String name = rule.path("record").asText();
            recorded.add(name);
            Query q = new Query(rulesName, "recording rule " + name, expr);
            queries.add(q);
            raw.add(q);
          } else {
            String alert = rule.path("alert").asText();
            raw.add(new Query(rulesName, "alert " + alert, expr));
            List<String> operands = alertOperands(expr);
            for (int i = 0; i < operands.size(); i++) {
              queries.add(
                  new Query(
                      rulesName,
                      "alert " + alert + " (operand " + (i + 1) + " of " + operands.size() + ")",
                      operands.get(i)));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + rulesFile, e);
    }
    return new PromQlCatalog(queries, panels, raw, recorded);
  }

  private static void collectPanels(
      String file, JsonNode nodes, List<Panel> panels, List<Query> queries, List<Query> raw) {
    for (JsonNode panel : nodes) {
      String type = panel.path("type").asText();
      if (type.equals("row")) {
        collectPanels(file, panel.path("panels"), panels, queries, raw);
        continue;
      }
      String title = panel.path("title").asText();
      List<String> exprs = new ArrayList<>();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText("").strip();
        if (expr.isEmpty()) {
          continue;
        }
        exprs.add(expr);
        String origin = "panel \"" + title + "\" target " + target.path("refId").asText("?");
        raw.add(new Query(file, origin, expr));
        queries.add(new Query(file, origin, substituteVariables(expr, file + " " + origin)));
      }
      panels.add(new Panel(file, title, type, exprs));
    }
  }

  /** The queries to evaluate, in file order. */
  public List<Query> queries() {
    return queries;
  }

  /** Every dashboard panel that is not a row. */
  public List<Panel> panels() {
    return panels;
  }

  /** Every expression as written (dashboard targets, recording and alerting rules). */
  public List<Query> rawExpressions() {
    return rawExpressions;
  }

  /** Names defined by recording rules. */
  public Set<String> recordedNames() {
    return recordedNames;
  }

  /**
   * Replaces Grafana variables: built-ins ({@code $__rate_interval}, ...) by {@code 1m}, template
   * variables by {@code .*}; a template variable outside a regex matcher is an error.
   */
  public static String substituteVariables(String expr, String where) {
    String s = BUILTIN.matcher(expr).replaceAll("1m");
    Matcher m = VARIABLE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      if (!insideRegexMatcher(s, m.start())) {
        throw new IllegalArgumentException(
            where
                + ": template variable "
                + m.group()
                + " must appear only inside a regex matcher (label=~\"...\"): "
                + expr);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(".*"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static boolean insideRegexMatcher(String s, int index) {
    int quote = s.lastIndexOf('"', index - 1);
    if (quote < 0) {
      return false;
    }
    // The variable must be inside the string that starts right after =~ (or !~).
    long quotesBefore = s.substring(0, quote).chars().filter(c -> c == '"').count();
    String before = s.substring(0, quote).stripTrailing();
    return quotesBefore % 2 == 0 && (before.endsWith("=~") || before.endsWith("!~"));
  }

  /**
   * The operands of an alert expression: split at top-level {@code and/or/unless}, then at
   * top-level comparisons; modifiers stripped, number literals dropped.
   */
  public static List<String> alertOperands(String expr) {
    List<String> operands = new ArrayList<>();
    for (String condition : splitTopLevel(expr, true)) {
      for (String part : splitTopLevel(condition, false)) {
        String operand = stripModifiers(part.strip());
        if (!operand.isEmpty() && !NUMBER.matcher(operand).matches()) {
          operands.add(operand);
        }
      }
    }
    return operands;
  }

  private static String stripModifiers(String part) {
    String s = part;
    while (true) {
      String before = s;
      s = s.replaceFirst("^bool\\b\\s*", "");
      s = s.replaceFirst("^(on|ignoring|group_left|group_right)\\s*(\\([^)]*\\))?\\s*", "");
      if (s.equals(before)) {
        return s.strip();
      }
    }
  }

  /** Splits at top-level logical operators ({@code logical}) or comparison operators. */
  private static List<String> splitTopLevel(String expr, boolean logical) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
        continue;
      }
      if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
      } else if (depth == 0) {
        int length = logical ? logicalOperatorAt(expr, i) : comparisonAt(expr, i);
        if (length > 0) {
          parts.add(expr.substring(start, i));
          i += length;
          start = i;
          continue;
        }
      }
      i++;
    }
    parts.add(expr.substring(start));
    return parts;
  }

  private static int logicalOperatorAt(String s, int i) {
    if (i > 0 && isWordChar(s.charAt(i - 1))) {
      return 0;
    }
    for (String op : List.of("and", "or", "unless")) {
      if (s.startsWith(op, i)
          && (i + op.length() == s.length() || !isWordChar(s.charAt(i + op.length())))) {
        return op.length();
      }
    }
    return 0;
  }

  private static int comparisonAt(String s, int i) {
    for (String op : List.of("==", "!=", ">=", "<=")) {
      if (s.startsWith(op, i)) {
        return 2;
      }
    }
    char c = s.charAt(i);
    return c == '>' || c == '<' ? 1 : 0;
  }

  private static int skipString(String s, int open) {
    char quote = s.charAt(open);
    int i = open + 1;
    while (i < s.length() && s.charAt(i) != quote) {
      i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
    }
    return i + 1;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  /**
   * The metric names (and recording-rule names) a PromQL expression selects: identifiers outside
   * label matchers, strings and ranges that are not functions, aggregations or keywords.
   */
  public static Set<String> metricNames(String expr) {
    Set<String> names = new LinkedHashSet<>();
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '{' || c == '[') {
        i = expr.indexOf(c == '{' ? '}' : ']', i) + 1;
        if (i == 0) {
          throw new IllegalArgumentException("unclosed " + c + " in " + expr);
        }
      } else if (c == '$') {
        throw new IllegalArgumentException("unsubstituted variable in " + expr);
      } else if (Character.isDigit(c) || c == '.') {
        while (i < expr.length() && (isWordChar(expr.charAt(i)) || expr.charAt(i) == '.')) {
          i++;
        }
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int start = i;
        while (i < expr.length() && isWordChar(expr.charAt(i))) {
          i++;
        }
        String word = expr.substring(start, i);
        int next = i;
        while (next < expr.length() && Character.isWhitespace(expr.charAt(next))) {
          next++;
        }
        boolean call = next < expr.length() && expr.charAt(next) == '(';
        String lower = word.toLowerCase(Locale.ROOT);
        if (LABEL_LIST_KEYWORDS.contains(lower) && call) {
          i = expr.indexOf(')', next) + 1;
        } else if (!call && !KEYWORDS.contains(lower)) {
          names.add(word);
        }
      } else {
        i++;
      }
    }
    return names;
  }
}
