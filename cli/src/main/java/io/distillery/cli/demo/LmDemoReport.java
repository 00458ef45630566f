package io.distillery.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.cli.demo.DemoReport.Stat;
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

/**
 * What a run of the language-model track measured: the teacher's and every job's held-out scores
 * per checkpoint, the result table over the paired seeds, the paired kd/hard ratios, the log's
 * size, throughput, the greedy continuations of teacher and students, settings and phase times.
 *
 * @param finishedAt when the run finished (UTC)
 * @param machine cores, OS and JVM of the machine
 * @param settings the settings every job shared
 * @param log the soft-label log the jobs read
 * @param teacher the teacher's own scores on the held-out text (from the evaluations)
 * @param jobs every job with its scores per checkpoint
 * @param rows the result table, one row per model
 * @param paired per seed and over seeds: kd's KL ÷ hard's, kd's bits/byte − hard's, and the same
 *     for seqkd
 * @param teacherContinuations the teacher's greedy continuations of the evaluator's prompts
 * @param phaseSeconds wall time of each phase
 */
public record LmDemoReport(
    String finishedAt,
    String machine,
    Map<String, Object> settings,
    Log log,
    Point teacher,
    List<JobResult> jobs,
    List<Row> rows,
    Map<String, Stat> paired,
    List<Continuation> teacherContinuations,
    Map<String, Double> phaseSeconds) {

  /** The soft-label log, as {@link SoftLabelLog.Summary} measured it. */
  public record Log(
      long labels,
      long tokens,
      long generatedTokens,
      long recordBytes,
      long distributionBytes,
      double distributionBytesPerToken,
      double recordBytesPerToken,
      long deadLetters) {}

  /** A prompt and its greedy continuation. */
  public record Continuation(String prompt, String text) {}

  /** Held-out scores of one checkpoint (or of the teacher). */
  public record Point(
      long step,
      long samplesSeen,
      double bitsPerByte,
      double perplexity,
      double klTeacherStudent,
      double agreement,
      double nllPerToken,
      long tokens) {

    static Point of(EvaluationEvent event) {
      EvaluationMetrics m = event.getMetrics();
      return new Point(
          event.getStep(),
          event.getSamplesSeen(),
          m.getBitsPerByte(),
          m.getPerplexity(),
          m.getKlTeacherStudent(),
          m.getAgreement(),
          m.getNll(),
          m.getTokens());
    }
  }

  /** One job: kind, seed, scored checkpoints, final scores, throughput and continuations. */
  public record JobResult(
      String jobId,
      String kind,
      int seed,
      long parameters,
      List<Point> curve,
      Point last,
      long droppedUpdates,
      double tokensPerSecond,
      List<Continuation> continuations)
      implements SvgLineChart.ChartedJob<Point> {}

  /** A row of the result table. */
  public record Row(
      String model,
      long parameters,
      Stat bitsPerByte,
      Stat perplexity,
      Stat klTeacherStudent,
      Stat agreement,
      Double softLabelBytesPerToken,
      Stat tokensPerSecond) {}

  static LmDemoReport build(
      LmDemoSettings settings,
      LmTeacher teacher,
      List<DemoJob> jobs,
      PipelineEvents events,
      SoftLabelLog.Summary log,
      Map<String, Long> droppedUpdates,
      Map<String, Double> tokensPerSecond,
      List<TeacherContinuations.Continuation> teacherContinuations) {
    List<JobResult> results = new ArrayList<>();
    EvaluationMetrics teacherMetrics = null;
    for (DemoJob job : jobs) {
      List<Point> curve =
          events.evaluations(job.id()).stream()
              .filter(e -> e.getStatus() == EvaluationStatus.EVALUATION_OK)
              .map(Point::of)
              .toList();
      EvaluationEvent last =
          events
              .finalEvaluation(job.id())
              .orElseThrow(
                  () -> new IllegalStateException("job " + job.id() + " has no final score"));
      teacherMetrics = last.getMetrics();
      long parameters =
          events
              .finalCheckpoint(job.id())
              .map(CheckpointEvent::getStudent)
              .map(s -> s.getParameterCount())
              .orElse(0L);
      results.add(
          new JobResult(
              job.id(),
              job.kind().id(),
              job.seed(),
              parameters,
              curve,
              Point.of(last),
              droppedUpdates.getOrDefault(job.id(), 0L),
              tokensPerSecond.getOrDefault(job.id(), Double.NaN),
              last.getContinuationsList().stream()
                  .map(c -> new Continuation(c.getPrompt(), c.getText()))
                  .toList()));
    }
    if (teacherMetrics == null) {
      throw new IllegalStateException("no job was scored");
    }
    Point teacherPoint =
        new Point(
            0,
            0,
            teacherMetrics.getTeacherBitsPerByte(),
            teacherMetrics.getTeacherPerplexity(),
            0,
            1,
            Math.log(teacherMetrics.getTeacherPerplexity()),
            teacherMetrics.getTokens());
    List<Row> rows = new ArrayList<>();
    rows.add(
        new Row(
            "teacher (" + teacher.card().id() + ", " + teacher.card().network() + ")",
            teacher.parameters(),
            Stat.of(List.of(teacherPoint.bitsPerByte())),
            Stat.of(List.of(teacherPoint.perplexity())),
            Stat.of(List.of(0.0)),
            Stat.of(List.of(1.0)),
            null,
            null));
    for (JobKind kind : List.of(JobKind.HARD, JobKind.KD, JobKind.SEQKD)) {
      List<JobResult> ofKind = results.stream().filter(r -> r.kind().equals(kind.id())).toList();
      if (ofKind.isEmpty()) {
        continue;
      }
      rows.add(
          new Row(
              settings.student().title() + ", " + rowTitle(kind),
              ofKind.get(0).parameters(),
              Stat.of(ofKind.stream().map(r -> r.last().bitsPerByte()).toList()),
              Stat.of(ofKind.stream().map(r -> r.last().perplexity()).toList()),
              Stat.of(ofKind.stream().map(r -> r.last().klTeacherStudent()).toList()),
              Stat.of(ofKind.stream().map(r -> r.last().agreement()).toList()),
              kind == JobKind.HARD ? null : log.distributionBytesPerToken(),
              Stat.of(
                  ofKind.stream()
                      .map(JobResult::tokensPerSecond)
                      .filter(v -> !v.isNaN())
                      .toList())));
    }
    Map<String, Stat> paired = new LinkedHashMap<>();
    for (JobKind kind : List.of(JobKind.KD, JobKind.SEQKD)) {
      List<Double> klRatio = new ArrayList<>();
      List<Double> bpbDelta = new ArrayList<>();
      for (JobResult job : results) {
        if (!job.kind().equals(kind.id())) {
          continue;
        }
        Optional<JobResult> hard =
            results.stream()
                .filter(r -> r.kind().equals(JobKind.HARD.id()) && r.seed() == job.seed())
                .findFirst();
        hard.ifPresent(
            h -> {
              klRatio.add(job.last().klTeacherStudent() / h.last().klTeacherStudent());
              bpbDelta.add(job.last().bitsPerByte() - h.last().bitsPerByte());
            });
      }
      if (!klRatio.isEmpty()) {
        paired.put(kind.id() + " KL / hard KL", Stat.of(klRatio));
        paired.put(kind.id() + " bits/byte − hard bits/byte", Stat.of(bpbDelta));
      }
    }
    return new LmDemoReport(
        Instant.now().toString(),
        DemoReport.thisMachine(),
        settingsSummary(settings, teacher),
        new Log(
            log.labels(),
            log.positions(),
            log.generated(),
            log.recordBytes(),
            log.distributionBytes(),
            log.distributionBytesPerToken(),
            log.recordBytesPerToken(),
            log.deadLetters()),
        teacherPoint,
        results,
        rows,
        paired,
        teacherContinuations.stream().map(c -> new Continuation(c.prompt(), c.text())).toList(),
        Map.of());
  }

  private static String rowTitle(JobKind kind) {
    return switch (kind) {
      case HARD -> "hard labels (next token)";
      case KD -> "token-level KD (soft-label log)";
      case SEQKD -> "sequence-level KD (teacher's continuations)";
      default -> kind.title();
    };
  }

  private static Map<String, Object> settingsSummary(LmDemoSettings settings, LmTeacher teacher) {
    DemoSettings.Training t = settings.training();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("teacher", teacher.dir().toString());
    summary.put("teacherTrainedNow", teacher.trainedNow());
    summary.put("student", settings.student().title());
    summary.put("studentProperties", settings.student().properties());
    summary.put("passes", settings.student().passes());
    summary.put("seeds", settings.seeds());
    summary.put("textBytes", settings.textBytes());
    summary.put("promptBytes", settings.promptBytes());
    summary.put("topK", settings.topK());
    summary.put("generationTokens", settings.generationTokens());
    summary.put("batchSizeWindows", t.batchSize());
    summary.put("learningRate", t.learningRate());
    summary.put("temperature", t.temperature());
    summary.put("alphaHardWeightOfKd", t.alpha());
    summary.put("checkpointIntervalSteps", t.checkpointIntervalSteps());
    summary.put("evalTokens", settings.evalTokens());
    summary.put("parallelJobs", settings.parallelJobs());
    summary.put("extraTrainerProperties", t.extra());
    return summary;
  }

  LmDemoReport withPhases(Map<String, Duration> phases) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    phases.forEach((name, time) -> seconds.put(name, time.toMillis() / 1000.0));
    return new LmDemoReport(
        finishedAt,
        machine,
        settings,
        log,
        teacher,
        jobs,
        rows,
        paired,
        teacherContinuations,
        seconds);
  }

  /** The result table as Markdown, with the paired comparisons and the settings under it. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(
        "| model | params | held-out bits/byte | perplexity | KL(teacher‖student) | agreement |"
            + " soft-label bytes/token |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Row row : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s | %s | %s | %s | %s |%n",
              row.model(),
              row.parameters(),
              format(row.bitsPerByte(), "%.4f"),
              format(row.perplexity(), "%.2f"),
              format(row.klTeacherStudent(), "%.4f"),
              format(row.agreement(), "%.4f"),
              row.softLabelBytesPerToken() == null
                  ? "–"
                  : String.format(Locale.ROOT, "%.1f", row.softLabelBytesPerToken())));
    }
    int seeds = rows.size() > 1 ? rows.get(1).bitsPerByte().n() : 0;
    out.append(
        String.format(
            Locale.ROOT,
            "%nStudents: mean ± standard deviation over %d paired seed%s %s (final checkpoints,"
                + " %,d held-out tokens of Persuasion).%n",
            seeds,
            seeds == 1 ? "" : "s",
            settings.get("seeds"),
            teacher.tokens()));
    out.append(
        String.format(
            Locale.ROOT,
            "Soft-label log (labelled once, read by every job): %,d windows, %,d tokens (%,d"
                + " continued by the teacher), top-%s; %.1f bytes/token of distributions, %.1f per"
                + " whole record.%n",
            log.labels(),
            log.tokens(),
            log.generatedTokens(),
            settings.get("topK"),
            log.distributionBytesPerToken(),
            log.recordBytesPerToken()));
    paired.forEach(
        (what, stat) ->
            out.append(
                String.format(
                    Locale.ROOT,
                    "Paired %s: %.3f (per seed %.3f..%.3f)%n",
                    what,
                    stat.mean(),
                    stat.min(),
                    stat.max())));
    rows.stream()
        .filter(r -> r.tokensPerSecond() != null && r.tokensPerSecond().n() > 0)
        .forEach(
            r ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "Training throughput, %s: %,.0f tokens/s (median while training, mean"
                            + " over jobs)%n",
                        r.model(),
                        r.tokensPerSecond().mean())));
    out.append("Settings: ").append(settings).append('\n');
    return out.toString();
  }

  private static String format(Stat stat, String pattern) {
    if (stat == null) {
      return "–";
    }
    String mean = String.format(Locale.ROOT, pattern, stat.mean());
    return stat.n() < 2 ? mean : mean + " ± " + String.format(Locale.ROOT, pattern, stat.sd());
  }

  /** The wall time of each phase, one line. */
  public String phaseTimes() {
    return DemoReport.phaseLine(phaseSeconds);
  }

  /** Writes report.json and report.html into {@code dir}. */
  void write(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    json.writeValue(dir.resolve("report.json").toFile(), this);
    Files.writeString(dir.resolve("report.html"), LmHtmlReport.render(this));
  }

  /** Reads a report.json written by {@link #write}. */
  public static LmDemoReport read(Path file) throws IOException {
    return new ObjectMapper().readValue(file.toFile(), LmDemoReport.class);
  }
}
