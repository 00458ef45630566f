package io.distillery.cli.demo;

import static io.distillery.cli.demo.HtmlReport.escape;

import io.distillery.cli.demo.LmDemoReport.Continuation;
import io.distillery.cli.demo.LmDemoReport.JobResult;
import io.distillery.cli.demo.LmDemoReport.Point;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * report.html of the language-model track: the result table, held-out bits/byte and
 * KL(teacher‖student) vs step for every job (inline SVG, the teacher as a dashed line), and the
 * greedy continuations of the teacher and of each student side by side.
 */
final class LmHtmlReport {

  private static final Map<String, String> COLORS =
      Map.of("hard", "#d62728", "kd", "#1f77b4", "seqkd", "#2ca02c");
  private static final String[] DASHES = {"", "6 3", "2 3", "10 3 2 3"};
  private static final int WIDTH = 640;
  private static final int HEIGHT = 320;
  private static final int MARGIN = 50;

  private LmHtmlReport() {}

  static String render(LmDemoReport report) {
    StringBuilder html = new StringBuilder();
    html.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Distillery demo report: language models</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
        td:first-child,th:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ddd}
        .legend span{margin-right:1.5em}code{background:#f3f3f3;padding:1px 4px}
        table.text td{text-align:left;vertical-align:top;font-family:ui-monospace,monospace;white-space:pre-wrap}
        </style></head><body>
        <h1>Distillery demo: language models</h1>
        """);
    html.append("<p>Finished ")
        .append(escape(report.finishedAt()))
        .append(" on ")
        .append(escape(report.machine()))
        .append(".</p>\n");
    html.append("<h2>Result</h2>\n").append(HtmlReport.table(report.table()));
    html.append("<h2>Held-out bits per byte vs step</h2>\n")
        .append(
            chart(report.jobs(), Point::bitsPerByte, report.teacher().bitsPerByte(), "bits/byte"))
        .append(legend(report.jobs()));
    html.append("<h2>KL(teacher‖student) per token vs step</h2>\n")
        .append(chart(report.jobs(), Point::klTeacherStudent, 0, "KL"))
        .append(legend(report.jobs()));
    html.append("<h2>Agreement with the teacher's top-1 vs step</h2>\n")
        .append(chart(report.jobs(), Point::agreement, 1, "agreement"))
        .append(legend(report.jobs()));
    html.append("<h2>Greedy continuations</h2>\n")
        .append(continuations(report))
        .append("<h2>Phases</h2>\n<p>")
        .append(escape(report.phaseTimes()))
        .append("</p>\n<h2>Settings</h2>\n<p><code>")
        .append(escape(String.valueOf(report.settings())))
        .append("</code></p>\n</body></html>\n");
    return html.toString();
  }

  /** One row per prompt: the teacher, then each seed-1 student (or the first seed that ran). */
  private static String continuations(LmDemoReport report) {
    List<JobResult> shown =
        report.jobs().stream().filter(j -> j.seed() == report.jobs().get(0).seed()).toList();
    StringBuilder html =
        new StringBuilder("<table class=\"text\">\n<tr><th>prompt</th><th>teacher</th>");
    for (JobResult job : shown) {
      html.append("<th>").append(escape(job.jobId())).append("</th>");
    }
    html.append("</tr>\n");
    for (int i = 0; i < report.teacherContinuations().size(); i++) {
      Continuation teacher = report.teacherContinuations().get(i);
      html.append("<tr><td>")
          .append(escape(teacher.prompt()))
          .append("</td><td>")
          .append(escape(teacher.text()))
          .append("</td>");
      for (JobResult job : shown) {
        String text =
            job.continuations().stream()
                .filter(c -> c.prompt().equals(teacher.prompt()))
                .map(Continuation::text)
                .findFirst()
                .orElse("–");
        html.append("<td>").append(escape(text)).append("</td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</table>\n").toString();
  }

  private static String chart(
      List<JobResult> jobs, ToDoubleFunction<Point> value, double reference, String label) {
    double maxStep = 1;
    double min = reference;
    double max = reference;
    for (JobResult job : jobs) {
      for (Point p : job.curve()) {
        maxStep = Math.max(maxStep, p.step());
        min = Math.min(min, value.applyAsDouble(p));
        max = Math.max(max, value.applyAsDouble(p));
      }
    }
    if (!(max > min)) {
      max = min + 0.01;
    }
    double low = min;
    double high = max;
    int plotW = WIDTH - 2 * MARGIN;
    int plotH = HEIGHT - 2 * MARGIN;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s vs step\">%n",
            WIDTH,
            HEIGHT,
            label));
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
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.0f</text>%n",
              MARGIN + plotW * i / 4.0,
              HEIGHT - MARGIN + 16,
              maxStep * i / 4));
    }
    double ref = MARGIN + plotH - plotH * (reference - low) / (high - low);
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\""
                + " stroke-dasharray=\"4 4\"><title>teacher</title></line>%n"
                + "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">step</text>%n",
            MARGIN,
            ref,
            WIDTH - MARGIN,
            ref,
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
    StringBuilder html = new StringBuilder("<p class=\"legend\"><span>- - - teacher</span>");
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
}
