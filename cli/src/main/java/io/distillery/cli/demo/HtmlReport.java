package io.distillery.cli.demo;

import io.distillery.cli.demo.DemoReport.JobResult;
import io.distillery.cli.demo.DemoReport.Point;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * report.html: the result table and charts of test accuracy and agreement vs step for every job, as
 * inline SVG, so it opens in a browser offline with nothing to fetch.
 */
final class HtmlReport {

  private static final Map<String, String> COLORS =
      Map.of("hard", "#d62728", "kd", "#1f77b4", "kd-online", "#2ca02c");
  private static final String[] DASHES = {"", "6 3", "2 3", "10 3 2 3"};
  private static final int WIDTH = 640;
  private static final int HEIGHT = 320;
  private static final int MARGIN = 50;

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
    double maxStep = 1;
    double min = 1;
    double max = 0;
    for (JobResult job : jobs) {
      for (Point p : job.curve()) {
        maxStep = Math.max(maxStep, p.step());
        min = Math.min(min, value.applyAsDouble(p));
        max = Math.max(max, value.applyAsDouble(p));
      }
    }
    if (min >= max) {
      min = Math.max(0, max - 0.01);
    }
    double low = Math.floor(min * 100) / 100;
    double high = Math.ceil(max * 100) / 100;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s vs step\">%n",
            WIDTH,
            HEIGHT,
            label));
    int plotW = WIDTH - 2 * MARGIN;
    int plotH = HEIGHT - 2 * MARGIN;
    for (int i = 0; i <= 4; i++) {
      double v = low + (high - low) * i / 4;
      double y = MARGIN + plotH - plotH * i / 4.0;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.3f</text>%n",
              MARGIN,
              y,
              WIDTH - MARGIN,
              y,
              MARGIN - 4,
              y + 4,
              v));
      double step = maxStep * i / 4;
      double x = MARGIN + plotW * i / 4.0;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.0f</text>%n",
              x,
              HEIGHT - MARGIN + 16,
              step));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">step</text>%n",
            WIDTH / 2,
            HEIGHT - 8));
    for (JobResult job : jobs) {
      StringBuilder points = new StringBuilder();
      for (Point p : job.curve()) {
        double x = MARGIN + plotW * p.step() / maxStep;
        double y = MARGIN + plotH - plotH * (value.applyAsDouble(p) - low) / (high - low);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"%s\""
                  + " points=\"%s\"><title>%s</title></polyline>%n",
              COLORS.getOrDefault(job.kind(), "#555"),
              DASHES[Math.floorMod(job.seed() - 1, DASHES.length)],
              points.toString().trim(),
              escape(job.jobId())));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String legend(List<JobResult> jobs) {
    StringBuilder html = new StringBuilder("<p class=\"legend\">");
    for (JobResult job : jobs) {
      html.append(
          String.format(
              Locale.ROOT,
              "<span><svg width=\"24\" height=\"8\"><line x1=\"0\" y1=\"4\" x2=\"24\" y2=\"4\""
                  + " stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/></svg> %s</span>",
              COLORS.getOrDefault(job.kind(), "#555"),
              DASHES[Math.floorMod(job.seed() - 1, DASHES.length)],
              escape(job.jobId())));
    }
    return html.append("</p>\n").toString();
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
