package io.distillery.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SvgLineChartTest {

  private static final Pattern POLYLINE = Pattern.compile("points=\"([^\"]*)\"");

  @Test
  void eachSeriesIsALineInsideThePlotWithTheLowestValueAtTheBottom() {
    List<SvgLineChart.Series> series =
        List.of(
            new SvgLineChart.Series(
                "hard-s1", "#d62728", SvgLineChart.dash(1), List.of(pt(0, 0.5), pt(100, 0.8))),
            new SvgLineChart.Series(
                "kd-s2", "#1f77b4", SvgLineChart.dash(2), List.of(pt(0, 0.6), pt(50, 0.9))));

    String svg = SvgLineChart.render(series, "accuracy", OptionalDouble.empty());

    Matcher lines = POLYLINE.matcher(svg);
    assertTrue(lines.find());
    String[] first = lines.group(1).split(" ");
    assertEquals("50.0,270.0", first[0], "step 0 at the left, the minimum at the bottom");
    assertEquals("590.0,105.0", first[1], "the last step at the right; 0.8 is 3/4 up [0.50, 0.90]");
    assertTrue(lines.find());
    assertFalse(lines.find(), "one line per series");
    assertTrue(svg.contains("stroke-dasharray=\"6 3\""), "seed 2 is dashed");
    assertFalse(svg.contains("<title>teacher</title>"), "no reference line asked for");
  }

  @Test
  void aReferenceWidensTheAxisAndIsDrawnDashed() {
    List<SvgLineChart.Series> series =
        List.of(new SvgLineChart.Series("kd", "#000", "", List.of(pt(0, 3.0), pt(10, 2.5))));

    String svg = SvgLineChart.render(series, "bits/byte", OptionalDouble.of(2.0));

    assertTrue(svg.contains("<title>teacher</title>"));
    assertTrue(svg.contains(">2.000</text>"), "the axis reaches down to the teacher: " + svg);
    assertTrue(svg.contains(">3.000</text>"));
  }

  @Test
  void flatOrMissingCurvesStillGiveAUsableAxisAndEscapedNames() {
    String flat =
        SvgLineChart.render(
            List.of(new SvgLineChart.Series("a<b", "#000", "", List.of(pt(0, 0.5), pt(1, 0.5)))),
            "x",
            OptionalDouble.empty());
    assertFalse(flat.contains("NaN"), flat);
    assertTrue(flat.contains("a&lt;b"));
    String empty = SvgLineChart.render(List.of(), "x", OptionalDouble.empty());
    assertFalse(empty.contains("NaN"), empty);
    assertTrue(SvgLineChart.legend(List.of(), "<span>t</span>").contains("<span>t</span>"));
  }

  private static double[] pt(double step, double value) {
    return new double[] {step, value};
  }
}
