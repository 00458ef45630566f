package io.distillery.cli.demo;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * A line chart of a value vs training step as inline SVG, so that a report opens in a browser
 * offline: one line per series (colour by job kind, dash by seed), four grid lines and an optional
 * dashed reference line (e.g. the teacher).
 */
final class SvgLineChart {

  private static final String[] DASHES = {"", "6 3", "2 3", "10 3 2 3"};
  private static final int WIDTH = 640;
  private static final int HEIGHT = 320;
  private static final int MARGIN = 50;

  /** One job's line: its points are (step, value) pairs. */
  record Series(String name, String color, String dash, List<double[]> points) {

    /** A job's curve: its points' steps and values, dashed by seed. */
    static <P> Series of(
        String name,
        String color,
        int seed,
        List<P> curve,
        ToLongFunction<P> step,
        ToDoubleFunction<P> value) {
      return new Series(
          name,
          color,
          SvgLineChart.dash(seed),
          curve.stream()
              .map(p -> new double[] {step.applyAsLong(p), value.applyAsDouble(p)})
              .toList());
    }
  }

  /** A job whose curve a chart draws: coloured by its kind, dashed by its seed. */
  interface ChartedJob<P> {
    String jobId();

    String kind();

    int seed();

    List<P> curve();
  }

  private SvgLineChart() {}

  /** One series per job: each point's step and {@code value}, coloured from {@code colors}. */
  static <P> List<Series> series(
      List<? extends ChartedJob<P>> jobs,
      Map<String, String> colors,
      ToLongFunction<P> step,
      ToDoubleFunction<P> value) {
    return jobs.stream()
        .map(
            job ->
                Series.of(
                    job.jobId(),
                    colors.getOrDefault(job.kind(), "#555"),
                    job.seed(),
                    job.curve(),
                    step,
                    value))
        .toList();
  }

  /** The dash pattern of a seed's lines: seeds 1, 2, 3… solid, dashed, dotted, dash-dotted. */
  static String dash(int seed) {
    return DASHES[Math.floorMod(seed - 1, DASHES.length)];
  }

  /**
   * The chart; the value axis spans the points (and the reference), rounded out to hundredths.
   *
   * @param label what the values are, for screen readers ({@code "<label> vs step"})
   */
  static String render(List<Series> series, String label, OptionalDouble reference) {
    double maxStep = 1;
    double min = reference.orElse(Double.POSITIVE_INFINITY);
    double max = reference.orElse(Double.NEGATIVE_INFINITY);
    for (Series line : series) {
      for (double[] p : line.points()) {
        maxStep = Math.max(maxStep, p[0]);
        min = Math.min(min, p[1]);
        max = Math.max(max, p[1]);
      }
    }
    if (min > max) { // nothing to draw
      min = 0;
      max = 1;
    }
    double low = Math.floor(min * 100) / 100;
    double high = Math.ceil(max * 100) / 100;
    if (!(high > low)) {
      high = low + 0.01;
    }
    int plotW = WIDTH - 2 * MARGIN;
    int plotH = HEIGHT - 2 * MARGIN;
    StringBuilder svg = new StringBuilder();
    svg.append(
        format(
            "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s vs step\">%n",
            WIDTH, HEIGHT, HtmlReport.escape(label)));
    for (int i = 0; i <= 4; i++) {
      double y = MARGIN + plotH - plotH * i / 4.0;
      svg.append(
          format(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.3f</text>%n",
              MARGIN, y, WIDTH - MARGIN, y, MARGIN - 4, y + 4, low + (high - low) * i / 4));
      svg.append(
          format(
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.0f</text>%n",
              MARGIN + plotW * i / 4.0, HEIGHT - MARGIN + 16, maxStep * i / 4));
    }
    svg.append(
        format(
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">step</text>%n",
            WIDTH / 2, HEIGHT - 8));
    if (reference.isPresent()) {
      double y = MARGIN + plotH - plotH * (reference.getAsDouble() - low) / (high - low);
      svg.append(
          format(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\""
                  + " stroke-dasharray=\"4 4\"><title>teacher</title></line>%n",
              MARGIN, y, WIDTH - MARGIN, y));
    }
    for (Series line : series) {
      StringBuilder points = new StringBuilder();
      for (double[] p : line.points()) {
        double x = MARGIN + plotW * p[0] / maxStep;
        double y = MARGIN + plotH - plotH * (p[1] - low) / (high - low);
        points.append(format("%.1f,%.1f ", x, y));
      }
      svg.append(
          format(
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"%s\""
                  + " points=\"%s\"><title>%s</title></polyline>%n",
              line.color(), line.dash(), points.toString().trim(), HtmlReport.escape(line.name())));
    }
    return svg.append("</svg>\n").toString();
  }

  /** A legend under a chart: a sample of each line, after {@code first} (raw HTML) if given. */
  static String legend(List<Series> series, String first) {
    StringBuilder html = new StringBuilder("<p class=\"legend\">").append(first);
    for (Series line : series) {
      html.append(
          format(
              "<span><svg width=\"24\" height=\"8\"><line x1=\"0\" y1=\"4\" x2=\"24\" y2=\"4\""
                  + " stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/></svg> %s</span>",
              line.color(), line.dash(), HtmlReport.escape(line.name())));
    }
    return html.append("</p>\n").toString();
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
