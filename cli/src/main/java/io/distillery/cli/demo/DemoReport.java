package io.distillery.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.EvaluationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a demo run measured: the teacher's and every job's test scores per checkpoint, the result
 * table over the paired seeds, the gap recovered, the settings and the phase wall times.
 *
 * @param finishedAt when the run finished (UTC)
 * @param machine cores, OS and JVM of the machine
 * @param settings the distillation settings every job shared
 * @param labels soft labels in the log (per pass): the transfer set's views
 * @param teacher the teacher's own scores
 * @param jobs every job with its scores per checkpoint
 * @param rows the result table, one row per model
 * @param gaps per student family, per seed: (errors_hard − errors_kd) / (errors_hard −
 *     errors_teacher), and the same for the online jobs (key {@code <family> online}) when they ran
 * @param phaseSeconds wall time of each phase
 */
public record DemoReport(
    String finishedAt,
    String machine,
    Map<String, Object> settings,
    long labels,
    Row teacher,
    List<JobResult> jobs,
    List<Row> rows,
    Map<String, Stat> gaps,
    Map<String, Double> phaseSeconds) {

  /** Test scores of one checkpoint. */
  public record Point(
      long step,
      long samplesSeen,
      double accuracy,
      long errors,
      double agreement,
      double klTeacherStudent,
      double nll) {

    static Point of(EvaluationEvent event) {
      EvaluationMetrics m = event.getMetrics();
      return new Point(
          event.getStep(),
          event.getSamplesSeen(),
          m.getAccuracy(),
          m.getErrors(),
          m.getAgreement(),
          m.getKlTeacherStudent(),
          m.getNll());
    }
  }

  /**
   * One job: its student family, kind, seed, every scored checkpoint, the final one and the updates
   * its gradient guard dropped.
   */
  public record JobResult(
      String jobId,
      String student,
      String kind,
      int seed,
      long parameters,
      List<Point> curve,
      Point last,
      long droppedUpdates)
      implements SvgLineChart.ChartedJob<Point> {}

  /** Mean, standard deviation, minimum and maximum over the paired seeds. */
  public record Stat(double mean, double sd, double min, double max, int n) {

    static Stat of(List<Double> values) {
      if (values.isEmpty()) {
        return null;
      }
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double var =
          values.size() < 2
              ? 0
              : values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum()
                  / (values.size() - 1);
      return new Stat(
          mean,
          Math.sqrt(var),
          values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
          values.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
          values.size());
    }
  }

  /** A row of the result table; dropped updates summed over its jobs (0 for the teacher). */
  public record Row(
      String model,
      long parameters,
      Stat errors,
      Stat accuracy,
      Stat agreement,
      Stat klTeacherStudent,
      long droppedUpdates) {}

  static DemoReport build(
      DemoSettings settings,
      CachedTeacher teacher,
      List<DemoJob> jobs,
      PipelineEvents events,
      long labels,
      Map<String, Long> droppedUpdates) {
    EvaluationEvent teacherEval =
        events
            .teacher()
            .orElseThrow(
                () -> new IllegalStateException("the evaluator published no teacher score"));
    Row teacherRow =
        new Row(
            "teacher (" + teacher.card().id() + ")",
            teacher.parameters(),
            Stat.of(List.of((double) teacherEval.getMetrics().getErrors())),
            Stat.of(List.of(teacherEval.getMetrics().getAccuracy())),
            Stat.of(List.of(1.0)),
            Stat.of(List.of(0.0)),
            0);
    List<JobResult> results = new ArrayList<>();
    for (DemoJob job : jobs) {
      List<Point> curve =
          events.evaluations(job.id()).stream()
              .filter(e -> e.getStatus() == EvaluationStatus.EVALUATION_OK)
              .map(Point::of)
              .toList();
      Point last =
          events
              .finalEvaluation(job.id())
              .map(Point::of)
              .orElseThrow(
                  () -> new IllegalStateException("job " + job.id() + " has no final score"));
      long parameters =
          events
              .finalCheckpoint(job.id())
              .map(CheckpointEvent::getStudent)
              .map(s -> s.getParameterCount())
              .orElse(0L);
      results.add(
          new JobResult(
              job.id(),
              job.student().name(),
              job.kind().id(),
              job.seed(),
              parameters,
              curve,
              last,
              droppedUpdates.getOrDefault(job.id(), 0L)));
    }
    List<Row> rows = new ArrayList<>();
    rows.add(teacherRow);
    Map<String, Stat> gaps = new LinkedHashMap<>();
    double teacherErrors = teacherEval.getMetrics().getErrors();
    for (StudentPlan student : settings.training().students()) {
      for (JobKind kind : JobKind.values()) {
        List<JobResult> ofKind =
            results.stream()
                .filter(r -> r.student().equals(student.name()) && r.kind().equals(kind.id()))
                .toList();
        if (!ofKind.isEmpty()) {
          rows.add(
              new Row(
                  student.title() + ", " + kind.title(),
                  ofKind.get(0).parameters(),
                  Stat.of(ofKind.stream().map(r -> (double) r.last().errors()).toList()),
                  Stat.of(ofKind.stream().map(r -> r.last().accuracy()).toList()),
                  Stat.of(ofKind.stream().map(r -> r.last().agreement()).toList()),
                  Stat.of(ofKind.stream().map(r -> r.last().klTeacherStudent()).toList()),
                  ofKind.stream().mapToLong(JobResult::droppedUpdates).sum()));
        }
      }
      Stat kd = gap(results, student.name(), JobKind.KD, teacherErrors);
      if (kd != null) {
        gaps.put(student.name(), kd);
      }
      Stat online = gap(results, student.name(), JobKind.KD_ONLINE, teacherErrors);
      if (online != null) {
        gaps.put(student.name() + " online", online);
      }
    }
    return new DemoReport(
        Instant.now().toString(),
        thisMachine(),
        settingsSummary(settings),
        labels,
        teacherRow,
        results,
        rows,
        gaps,
        Map.of());
  }

  /** Per seed: the share of the hard-label student's excess errors that distillation removed. */
  private static Stat gap(
      List<JobResult> results, String student, JobKind kind, double teacherErrors) {
    List<Double> recovered = new ArrayList<>();
    for (JobResult job : results) {
      if (!job.student().equals(student) || !job.kind().equals(kind.id())) {
        continue;
      }
      Optional<JobResult> hard =
          results.stream()
              .filter(
                  r ->
                      r.student().equals(student)
                          && r.kind().equals(JobKind.HARD.id())
                          && r.seed() == job.seed())
              .findFirst();
      hard.ifPresent(
          h ->
              recovered.add(
                  (h.last().errors() - job.last().errors()) / (h.last().errors() - teacherErrors)));
    }
    return Stat.of(recovered);
  }

  private static Map<String, Object> settingsSummary(DemoSettings settings) {
    DemoSettings.Training t = settings.training();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put(
        "students",
        t.students().stream()
            .map(s -> s.title() + " (" + s.passes() + " passes)")
            .collect(Collectors.joining(", ")));
    summary.put("transferSet", describe(settings.transferSet(), settings.prompts()));
    summary.put("seeds", settings.seeds());
    summary.put("batchSize", t.batchSize());
    summary.put("learningRate", t.learningRate());
    summary.put("temperature", t.temperature());
    summary.put("alphaHardWeight", t.alpha());
    summary.put("prompts", settings.prompts());
    summary.put("extraTrainerProperties", t.extra());
    return summary;
  }

  /** e.g. "5 views of 60,000 images (300,000 prompts): ±2 px shifts, 50% mixup pairs (α=1)". */
  static String describe(io.distillery.models.augment.TransferSet set, int images) {
    if (set.viewsPerImage() == 1) {
      return String.format(Locale.ROOT, "the %,d images themselves", images);
    }
    return String.format(
        Locale.ROOT,
        "%d views of %,d images (%,d prompts): the image, ±%d px shifts%s, %.0f%% mixup pairs"
            + " (Beta(%s, %s))",
        set.viewsPerImage(),
        images,
        set.size(images),
        set.maxShift(),
        set.flip() ? ", left-right flips" : "",
        100 * set.mixupFraction(),
        set.mixupAlpha(),
        set.mixupAlpha());
  }

  static String thisMachine() {
    return Runtime.getRuntime().availableProcessors()
        + " cores, "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.arch")
        + ", Java "
        + System.getProperty("java.version");
  }

  DemoReport withPhases(Map<String, Duration> phases) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    phases.forEach((name, time) -> seconds.put(name, time.toMillis() / 1000.0));
    return new DemoReport(
        finishedAt, machine, settings, labels, teacher, jobs, rows, gaps, seconds);
  }

  /** The result table as Markdown, with the gap recovered and the settings under it. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(
        "| model | params | test errors /10,000 | accuracy | agreement with teacher |"
            + " KL(teacher‖student) | dropped updates |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Row row : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s | %s | %s | %s | %d |%n",
              row.model(),
              row.parameters(),
              format(row.errors(), "%,.0f", "%.0f"),
              format(row.accuracy(), "%.4f", "%.4f"),
              format(row.agreement(), "%.4f", "%.4f"),
              format(row.klTeacherStudent(), "%.4f", "%.4f"),
              row.droppedUpdates()));
    }
    int seeds = rows.size() > 1 ? rows.get(1).errors().n() : 0;
    out.append(
        String.format(
            Locale.ROOT,
            "%nStudents: mean ± standard deviation over %d paired seed%s %s (final checkpoints,"
                + " Fashion-MNIST t10k).%n",
            seeds,
            seeds == 1 ? "" : "s",
            settings.get("seeds")));
    out.append("Transfer set (labelled once, read by every job): ")
        .append(settings.get("transferSet"))
        .append(".\n");
    gaps.forEach(
        (student, gap) ->
            out.append(
                gapLine(
                    (student.endsWith(" online")
                            ? "Online distillation of the "
                            : "Distillation of the ")
                        + student.replace(" online", "")
                        + " student",
                    gap)));
    out.append("Settings: ").append(settings).append('\n');
    return out.toString();
  }

  private static String gapLine(String what, Stat gap) {
    return String.format(
        Locale.ROOT,
        "%s recovered %.0f%% of the teacher–scratch gap (per seed %.0f%%..%.0f%%, sd %.0f points).%n",
        what,
        100 * gap.mean(),
        100 * gap.min(),
        100 * gap.max(),
        100 * gap.sd());
  }

  private static String format(Stat stat, String meanFormat, String sdFormat) {
    if (stat == null) {
      return "–";
    }
    String mean = String.format(Locale.ROOT, meanFormat, stat.mean());
    return stat.n() < 2 ? mean : mean + " ± " + String.format(Locale.ROOT, sdFormat, stat.sd());
  }

  /** The wall time of each phase, one line. */
  public String phaseTimes() {
    return phaseLine(phaseSeconds);
  }

  /** e.g. "Wall time: build 0s, data 4s, … — total 12m03s". */
  static String phaseLine(Map<String, Double> phaseSeconds) {
    double total = phaseSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    return "Wall time: "
        + phaseSeconds.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %s", e.getKey(), clock(e.getValue())))
            .collect(Collectors.joining(", "))
        + " — total "
        + clock(total);
  }

  private static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  /** Writes report.json and report.html into {@code dir}. */
  void write(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    json.writeValue(dir.resolve("report.json").toFile(), this);
    Files.writeString(dir.resolve("report.html"), HtmlReport.render(this));
  }

  /** Reads a report.json written by {@link #write}. */
  public static DemoReport read(Path file) throws IOException {
    return new ObjectMapper().readValue(file.toFile(), DemoReport.class);
  }
}
