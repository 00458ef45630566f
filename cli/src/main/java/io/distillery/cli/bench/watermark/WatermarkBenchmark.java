package io.distillery.cli.bench.watermark;

import ai.djl.Model;
import io.distillery.cli.data.DataOptions;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.watermark.WatermarkDetector;
import io.distillery.models.watermark.WatermarkKey;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code distillery bench watermark}: the detection experiment of issue 18 in-process (DJL
 * PyTorch), printing the table BENCHMARKS.md records.
 */
@Command(
    name = "watermark",
    mixinStandardHelpOptions = true,
    description =
        "Detection power and false positives of the soft-label watermark over many small students"
            + " (in-process, DJL).")
public final class WatermarkBenchmark implements Callable<Integer> {

  /** Student epochs on the transfer set. */
  static final int DEFAULT_EPOCHS = 20;

  /** The watermark's strength in the experiment. */
  static final double DEFAULT_EPSILON = 0.2;

  /** The loss's hard-label weight. */
  static final float DEFAULT_ALPHA = 0.5f;

  @Mixin DataOptions data = new DataOptions();

  @Option(
      names = "--teacher-dir",
      description =
          "Classifier teacher directory (teacher-card.json + DJL parameters); default: the demo's"
              + " cached teacher, <cache-dir>/teachers/fashion-cnn-e20.")
  Path teacherDir;

  @Option(names = "--students", defaultValue = "20", description = "Students (keys) per condition.")
  int students;

  @Option(names = "--transfer-images", defaultValue = "10000")
  int transferImages;

  @Option(names = "--fine-tune-images", defaultValue = "5000")
  int fineTuneImages;

  @Option(names = "--other-teacher-images", defaultValue = "20000")
  int otherTeacherImages;

  @Option(names = "--epochs", defaultValue = "" + DEFAULT_EPOCHS)
  int epochs;

  @Option(names = "--fine-tune-epochs", defaultValue = "1")
  int fineTuneEpochs;

  @Option(names = "--hidden", defaultValue = "128", description = "Student MLP hidden width.")
  int hidden;

  @Option(names = "--batch-size", defaultValue = "128")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.001")
  float learningRate;

  @Option(
      names = "--epsilon",
      defaultValue = "" + DEFAULT_EPSILON,
      description = "Watermark strength ε.")
  double epsilon;

  @Option(names = "--frequency", description = "Key frequency (default: the key generator's).")
  Double frequency;

  @Option(
      names = "--grid",
      defaultValue = "" + WatermarkKey.DEFAULT_GRID,
      description = "Key grid.")
  int grid;

  @Option(names = "--top-k", defaultValue = "10")
  int topK;

  @Option(names = "--temperature", defaultValue = "1.0")
  float temperature;

  @Option(
      names = "--alpha",
      defaultValue = "" + DEFAULT_ALPHA,
      description = "Hard-label weight of the loss.")
  float alpha;

  @Option(
      names = "--probes",
      defaultValue = "10000",
      description = "Test images offered as probes.")
  int probes;

  @Option(
      names = "--probe-transfer-set",
      description =
          "Probe with the images the students learned from (the owner knows what a marked client"
              + " asked) instead of held-out test images.")
  boolean probeTransferSet;

  @Option(names = "--null-keys", defaultValue = "999")
  int nullKeys;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path dataDir = data.locate(out);
    LabeledImages train = FashionMnist.train(dataDir);
    LabeledImages test = FashionMnist.test(dataDir);
    Path dir =
        teacherDir != null
            ? teacherDir
            : data.cacheDir().resolve("teachers").resolve("fashion-cnn-e20");
    WatermarkExperiment.Settings settings =
        new WatermarkExperiment.Settings(
            students,
            transferImages,
            fineTuneImages,
            otherTeacherImages,
            epochs,
            fineTuneEpochs,
            hidden,
            batchSize,
            learningRate,
            epsilon,
            frequency == null ? WatermarkKey.DEFAULT_FREQUENCY : frequency,
            grid,
            topK,
            temperature,
            alpha,
            probes,
            probeTransferSet,
            nullKeys,
            seed);
    out.println("Teacher: " + dir);
    out.println(settings);
    WatermarkExperiment.Report report;
    try (Model teacher = TeacherArtifacts.loadPyTorch(dir)) {
      ModelRunner runner = new ModelRunner(teacher, new long[] {1, 28, 28});
      report =
          new WatermarkExperiment(settings, out)
              .run(images -> runner.logits(images, 64), train, test);
    }
    out.println();
    out.print(table(report, settings));
    return 0;
  }

  /** The Markdown table of a report. */
  public static String table(WatermarkExperiment.Report report, WatermarkExperiment.Settings s) {
    StringBuilder t = new StringBuilder();
    t.append(
        "| students | n | log p(c*) | + reference | relative log p(c*) | + reference | mean test"
            + " accuracy |\n");
    t.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (WatermarkExperiment.Condition c : WatermarkExperiment.Condition.values()) {
      var group = report.of(c);
      t.append(String.format(Locale.ROOT, "| %s | %d |", c.description(), group.size()));
      List<java.util.function.Function<WatermarkExperiment.Outcome, WatermarkDetector.Result>>
          variants =
              List.of(
                  WatermarkExperiment.Outcome::result,
                  WatermarkExperiment.Outcome::withReference,
                  WatermarkExperiment.Outcome::relative,
                  WatermarkExperiment.Outcome::relativeWithReference);
      for (var variant : variants) {
        long detected = group.stream().filter(o -> variant.apply(o).detected()).count();
        double[] ps = group.stream().mapToDouble(o -> variant.apply(o).pValue()).sorted().toArray();
        t.append(
            String.format(
                Locale.ROOT,
                " %d (%.0f%%), median p %.3f |",
                detected,
                100.0 * detected / group.size(),
                ps[ps.length / 2]));
      }
      t.append(String.format(Locale.ROOT, " %.2f%% |%n", 100 * report.meanAccuracy(c)));
    }
    t.append(
        "\nDetected at p < 0.01: power for the marked groups, false positives for the others.\n");
    t.append(
        String.format(
            Locale.ROOT,
            "%nTeacher accuracy %.2f%%; marked: mean Δ %+.2f points, worst |Δ| %.2f points over %d"
                + " keys; mean max|q̂−q| per sample %.4f (ε = %s).%n"
                + "Student accuracy, marked KD − clean KD (paired seeds): %+.2f points.%n"
                + "Probes: first %d Fashion-MNIST test images minus the key's class; %d null keys;"
                + " %.0f s.%n",
            100 * report.teacherCleanAccuracy(),
            report.teacherDeltaPoints(),
            report.teacherWorstDeltaPoints(),
            report.teacherMarkedAccuracy().length,
            report.meanPerturbation(),
            s.epsilon(),
            report.studentDeltaPoints(),
            s.probes(),
            s.nullKeys(),
            report.seconds()));
    return t.toString();
  }
}
