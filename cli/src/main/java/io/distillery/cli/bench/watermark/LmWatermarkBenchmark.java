package io.distillery.cli.bench.watermark;

import ai.djl.Model;
import io.distillery.cli.data.DataOptions;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.detect.LmProbes;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.tokenizer.TextTokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distillery bench watermark-lm}: the causal-LM watermark experiment. */
@Command(
    name = "watermark-lm",
    mixinStandardHelpOptions = true,
    description =
        "Distil tiny LM students from a causal-LM teacher's marked and unmarked soft labels (and"
            + " train some on hard labels), test each with its key, and report detection power,"
            + " false positives and the quality cost to teacher and students.")
public final class LmWatermarkBenchmark implements Callable<Integer> {

  @Mixin DataOptions data = new DataOptions();

  @Option(
      names = "--teacher-dir",
      required = true,
      description = "The causal-LM teacher's model directory (ONNX layout, e.g. austen-lm).")
  Path teacherDir;

  @Option(names = "--students", defaultValue = "20", description = "Students (keys) per condition.")
  int students;

  @Option(names = "--transfer-windows", defaultValue = "128")
  int transferWindows;

  @Option(names = "--probe-windows", defaultValue = "64")
  int probeWindows;

  @Option(names = "--window-tokens", defaultValue = "64")
  int windowTokens;

  @Option(names = "--steps", defaultValue = "120", description = "Training steps per student.")
  int steps;

  @Option(names = "--batch-size", defaultValue = "16", description = "Windows per step.")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.003")
  float learningRate;

  @Option(names = "--layers", defaultValue = "1")
  int layers;

  @Option(names = "--width", defaultValue = "64")
  int width;

  @Option(names = "--heads", defaultValue = "2")
  int heads;

  @Option(names = "--epsilon", defaultValue = "0.5", description = "Watermark strength ε (logits).")
  double epsilon;

  @Option(
      names = "--teacher-epsilons",
      defaultValue = "0.25,0.5,1.0",
      split = ",",
      description = "Further ε at which the teacher's own quality is measured.")
  List<Double> teacherEpsilons;

  @Option(names = "--top-k", defaultValue = "64", description = "Soft-label entries per position.")
  int topK;

  @Option(names = "--null-keys", defaultValue = "999")
  int nullKeys;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(
      names = "--max-minutes",
      defaultValue = "0",
      description =
          "Start no further students after this many minutes (0: no limit); the report says how"
              + " many ran.")
  double maxMinutes;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path austen = JaneAustenData.locateOrFetch(data.cacheDir(), out);
    TeacherCardFile card = TeacherArtifacts.checkFiles(teacherDir);
    int vocab = card.outputSize();
    List<int[]> transfer;
    long[] probeBytes;
    List<int[]> probes = LmProbes.heldOut(austen, teacherDir, probeWindows, windowTokens);
    try (TextTokenizer tokenizer = TeacherArtifacts.loadTokenizer(teacherDir)) {
      transfer =
          spreadWindows(
              JaneAusten.training(austen).documents(), tokenizer, transferWindows, windowTokens);
      probeBytes = new long[probes.size()];
      for (int w = 0; w < probes.size(); w++) {
        int[] window = probes.get(w);
        long[] predicted = new long[window.length - 1];
        for (int t = 1; t < window.length; t++) {
          predicted[t - 1] = window[t];
        }
        probeBytes[w] = tokenizer.decode(predicted).getBytes(StandardCharsets.UTF_8).length;
      }
    }
    LmWatermarkExperiment.Settings settings =
        new LmWatermarkExperiment.Settings(
            students,
            steps,
            batchSize,
            learningRate,
            layers,
            width,
            heads,
            epsilon,
            topK,
            nullKeys,
            seed,
            teacherEpsilons,
            maxMinutes);
    out.println("Teacher: " + teacherDir + " (" + card.network() + ")");
    out.println(settings);
    LmWatermarkExperiment.Report report;
    try (Model teacher = TeacherArtifacts.loadOnnx(teacherDir, Map.of())) {
      report =
          new LmWatermarkExperiment(settings, out)
              .run(new LmRunner(teacher), vocab, transfer, probes, probeBytes);
    }
    out.println();
    out.print(table(report, settings));
    return 0;
  }

  /**
   * {@code count} windows of {@code length} tokens (end-of-text first), spread evenly over the
   * training novels' tokens.
   */
  static List<int[]> spreadWindows(
      List<Document> documents, TextTokenizer tokenizer, int count, int length) {
    List<Long> all = new ArrayList<>();
    for (Document document : documents) {
      for (long id : tokenizer.encode(document.text())) {
        all.add(id);
      }
    }
    int span = length - 1;
    long available = all.size() / span;
    if (available < count) {
      throw new IllegalArgumentException(
          "the training novels give " + available + " windows of " + length + " tokens");
    }
    long stride = available / count;
    List<int[]> windows = new ArrayList<>(count);
    for (int w = 0; w < count; w++) {
      int start = (int) (w * stride * span);
      int[] window = new int[length];
      window[0] = tokenizer.endOfTextId();
      for (int t = 1; t < length; t++) {
        window[t] = (int) (long) all.get(start + t - 1);
      }
      windows.add(window);
    }
    return windows;
  }

  /** The Markdown table of a report. */
  public static String table(
      LmWatermarkExperiment.Report report, LmWatermarkExperiment.Settings s) {
    StringBuilder t = new StringBuilder();
    t.append(
        "| students | n | detected at p < 0.01 (relative to the unmarked teacher, `detect"
            + " --reference`) | median p | detected from the suspect alone | mean held-out"
            + " bits/byte |\n"
            + "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (LmWatermarkExperiment.Condition c : LmWatermarkExperiment.Condition.values()) {
      var group = report.of(c);
      if (group.isEmpty()) {
        continue;
      }
      long detected = group.stream().filter(o -> o.result().detected()).count();
      double[] ps = group.stream().mapToDouble(o -> o.result().pValue()).sorted().toArray();
      long alone = group.stream().filter(o -> o.alone().detected()).count();
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d (%.0f%%) %s | %.3f | %d (%.0f%%) | %.4f |%n",
              c.description(),
              group.size(),
              detected,
              100.0 * detected / group.size(),
              c.marked() ? "power" : "false positives",
              ps[ps.length / 2],
              alone,
              100.0 * alone / group.size(),
              report.meanBitsPerByte(c)));
    }
    t.append(
        String.format(
            Locale.ROOT,
            "%nTeacher %.4f bits/byte on the probe windows. Marked (mean over the %d keys):%n%n"
                + "| ε | bits/byte | Δ bits/byte (worst key) | top-1 agreement with the unmarked"
                + " teacher | mean max\\|q̂−q\\| |%n| ---: | ---: | ---: | ---: | ---: |%n",
            report.teacherCleanBitsPerByte(),
            s.students()));
    for (LmWatermarkExperiment.TeacherQuality q : report.teacher()) {
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %.4f | %+.4f (%+.4f) | %.2f%% | %.4f |%n",
              q.epsilon(),
              q.meanBitsPerByte(),
              q.meanBitsPerByte() - report.teacherCleanBitsPerByte(),
              q.worstBitsPerByte() - report.teacherCleanBitsPerByte(),
              100 * q.meanTopOneAgreement(),
              q.meanPerturbation()));
    }
    t.append(
        String.format(
            Locale.ROOT,
            "%nStudent bits/byte, marked KD − clean KD (paired seeds): %+.4f. ε = %s; %d null"
                + " keys; %.0f s.%n",
            report.meanBitsPerByte(LmWatermarkExperiment.Condition.MARKED)
                - report.meanBitsPerByte(LmWatermarkExperiment.Condition.CLEAN),
            s.epsilon(),
            s.nullKeys(),
            report.seconds()));
    return t.toString();
  }
}
