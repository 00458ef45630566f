package io.distillery.cli.demo;

import static io.distillery.cli.demo.HtmlReport.escape;

import io.distillery.cli.demo.LmDemoReport.Continuation;
import io.distillery.cli.demo.LmDemoReport.JobResult;
import io.distillery.cli.demo.LmDemoReport.Point;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * report.html of the language-model track: the result table, held-out bits/byte and
 * KL(teacher‖student) vs step for every job (inline SVG, the teacher as a dashed line), and the
 * greedy continuations of the teacher and of each student side by side.
 */
final class LmHtmlReport {

  private static final Map<String, String> COLORS =
      Map.of("hard", "#d62728", "kd", "#1f77b4", "seqkd", "#2ca02c");

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
      List<JobResult> jobs, ToDoubleFunction<Point> value, double teacher, String label) {
    return SvgLineChart.render(series(jobs, value), label, OptionalDouble.of(teacher));
  }

  private static String legend(List<JobResult> jobs) {
    return SvgLineChart.legend(series(jobs, p -> 0), "<span>- - - teacher</span>");
  }

  private static List<SvgLineChart.Series> series(
      List<JobResult> jobs, ToDoubleFunction<Point> value) {
    return SvgLineChart.series(jobs, COLORS, Point::step, value);
  }
}
