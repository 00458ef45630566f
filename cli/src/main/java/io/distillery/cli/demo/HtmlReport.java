package io.distillery.cli.demo;

import io.distillery.cli.demo.DemoReport.JobResult;
import io.distillery.cli.demo.DemoReport.Point;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * report.html: the result table and charts of test accuracy and agreement vs step for every job, as
 * inline SVG, so it opens in a browser offline with nothing to fetch.
 */
final class HtmlReport {

  private static final Map<String, String> COLORS =
      Map.of("hard", "#d62728", "kd", "#1f77b4", "kd-online", "#2ca02c");

  private HtmlReport() {}

  static String render(DemoReport report) {
    StringBuilder html = new StringBuilder();
    html.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Distillery demo report</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
        td:first-child,th:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ddd}
        .legend span{margin-right:1.5em}code{background:#f3f3f3;padding:1px 4px}
        </style></head><body>
        <h1>Distillery demo</h1>
        """);
    html.append("<p>Finished ")
        .append(escape(report.finishedAt()))
        .append(" on ")
        .append(escape(report.machine()))
        .append(". ")
        .append(report.labels())
        .append(" soft labels per pass.</p>\n");
    html.append("<h2>Result</h2>\n").append(table(report.table()));
    // One pair of charts per student family: their jobs take different numbers of steps.
    Map<String, List<JobResult>> byStudent = new java.util.LinkedHashMap<>();
    for (JobResult job : report.jobs()) {
      byStudent.computeIfAbsent(job.student(), s -> new java.util.ArrayList<>()).add(job);
    }
    byStudent.forEach(
        (student, jobs) -> {
          html.append("<h2>")
              .append(escape(student))
              .append(": test accuracy vs step</h2>\n")
              .append(chart(jobs, Point::accuracy, "accuracy"))
              .append(legend(jobs));
          html.append("<h2>")
              .append(escape(student))
              .append(": agreement with the teacher vs step</h2>\n")
              .append(chart(jobs, Point::agreement, "agreement"))
              .append(legend(jobs));
        });
    html.append("<h2>Phases</h2>\n<p>").append(escape(report.phaseTimes())).append("</p>\n");
    html.append("<h2>Settings</h2>\n<p><code>")
        .append(escape(String.valueOf(report.settings())))
        .append("</code></p>\n</body></html>\n");
    return html.toString();
  }

  /** The Markdown table and the lines under it, as HTML. */
  static String table(String markdown) {
    StringBuilder html = new StringBuilder("<table>\n");
    StringBuilder notes = new StringBuilder();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("| ---")) {
        continue;
      }
      if (line.startsWith("|")) {
        String cell = html.length() == "<table>\n".length() ? "th" : "td";
        html.append("<tr>");
        for (String value : line.substring(1, line.length() - 1).split("\\|")) {
          html.append('<').append(cell).append('>').append(escape(value.trim()));
          html.append("</").append(cell).append('>');
        }
        html.append("</tr>\n");
      } else if (!line.isBlank()) {
        notes.append("<p>").append(escape(line)).append("</p>\n");
      }
    }
    return html.append("</table>\n").append(notes).toString();
  }

  private static String chart(List<JobResult> jobs, ToDoubleFunction<Point> value, String label) {
    return SvgLineChart.render(series(jobs, value), label, OptionalDouble.empty());
  }

  private static String legend(List<JobResult> jobs) {
    return SvgLineChart.legend(series(jobs, p -> 0), "");
  }

  private static List<SvgLineChart.Series> series(
      List<JobResult> jobs, ToDoubleFunction<Point> value) {
    return SvgLineChart.series(jobs, COLORS, Point::step, value);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
