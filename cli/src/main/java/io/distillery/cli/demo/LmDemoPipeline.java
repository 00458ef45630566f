package io.distillery.cli.demo;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.produce.PromptProducer;
import io.distillery.cli.progress.Progress;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.proto.v1.EvaluationEvent;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The language-model track of the demo ({@code distillery demo --track lm}), phase by phase: build,
 * data, teacher (trained once and cached), services, the training novels as text prompts (the
 * labeler cuts them into context windows and has the teacher continue each), labelling, per seed a
 * {@code hard}, a {@code kd} and a {@code seqkd} job over the same log, report. The image track's
 * stack, job runner and event follower do the work; what differs (prompts, labeler and evaluator
 * settings, student, metrics, report) is here. Every process it starts is stopped when it returns
 * or fails.
 */
public final class LmDemoPipeline {

  /** The consumer group of the labeler (its application.properties). */
  static final String LABELER_GROUP = "distillery-labeler";

  /**
   * Prompts of the greedy continuations: the evaluator's defaults
   * (distillery.evaluator.lm.prompts).
   */
  static final List<String> CONTINUATION_PROMPTS =
      List.of("It is a truth universally acknowledged", "Anne Elliot", "The weather was");

  /** Tokens of each greedy continuation (the evaluator's default lm.continuation-tokens). */
  static final int CONTINUATION_TOKENS = 24;

  private final LmDemoSettings settings;
  private final DataOptions data;
  private final DemoHooks hooks;
  private final PrintStream out;
  private final PhaseClock clock = new PhaseClock();

  public LmDemoPipeline(
      LmDemoSettings settings, DataOptions data, DemoHooks hooks, PrintStream out) {
    this.settings = settings;
    this.data = data;
    this.hooks = hooks;
    this.out = out;
  }

  /** Runs the track and returns its report (also written as report.json and report.html). */
  public LmDemoReport run() throws Exception {
    Files.createDirectories(settings.runDir());
    out.println("Distillery demo, language-model track: run directory " + settings.runDir());
    ServiceJars jars = ServiceJars.in(settings.root());
    clock.time(
        "build",
        () -> {
          jars.buildIfMissing(settings.runDir().resolve("logs/build.log"), out);
          return null;
        });
    Path austenDir =
        clock.time("data", () -> JaneAustenData.locateOrFetch(settings.cacheDir(), out));
    // The evaluator loads its Fashion-MNIST eval set at start-up whatever it scores.
    Path imageDir = clock.time("data", () -> data.locate(out));
    LmTeacher teacher = clock.time("teacher", () -> LmTeacher.prepare(settings, austenDir, out));
    try (DemoStack stack =
            clock.time(
                "start services",
                () -> {
                  out.println(
                      "Starting Kafka, teacher, labeler and evaluator (logs in "
                          + settings.runDir().resolve("logs")
                          + ")...");
                  return DemoStack.start(
                      jars,
                      settings.runDir(),
                      settings.partitions(),
                      teacher.dir(),
                      imageDir,
                      serviceSettings(teacher, austenDir));
                });
        StopOnInterrupt stop = StopOnInterrupt.register(stack);
        PipelineEvents events = PipelineEvents.follow(stack.bootstrapServers())) {
      hooks.servicesStarted(stack);
      List<Document> prompts = prompts(austenDir);
      clock.time("produce prompts", () -> produce(stack, prompts));
      SoftLabelLog.Summary log =
          clock.time(
              "labelling",
              () -> {
                LabelingWait.await(stack, LABELER_GROUP, out);
                return SoftLabelLog.summarize(stack.bootstrapServers());
              });
      out.println(log.describe());
      if (log.labels() == 0) {
        throw new IllegalStateException(
            "the labeler wrote no soft labels; see " + stack.labeler().log());
      }
      List<TeacherContinuations.Continuation> teacherContinuations =
          TeacherContinuations.greedy(
              stack.teacher().grpcPort(),
              teacher.tokenizer(),
              CONTINUATION_PROMPTS,
              CONTINUATION_TOKENS,
              teacher.card().languageModel().maxSequenceLength());
      List<DemoJob> jobs = jobs();
      JobRunner runner =
          new JobRunner(
              stack,
              events,
              job -> trainerProperties(job, teacher),
              job -> job.student().steps(log.labels(), settings.training().batchSize()),
              LmDemoPipeline::score,
              out);
      Map<String, Long> dropped =
          clock.time(
              "training",
              () -> {
                out.printf(
                    Locale.ROOT,
                    "Training %d jobs (hard, kd, seqkd per seed) on %,d soft labels per pass, %d"
                        + " side by side: %s, %d passes (%,d steps per job)...%n",
                    jobs.size(),
                    log.labels(),
                    settings.parallelJobs(),
                    settings.student().title(),
                    settings.student().passes(),
                    settings.student().steps(log.labels(), settings.training().batchSize()));
                return runner.run(jobs, settings.parallelJobs());
              });
      hooks.trainingFinished(stack, events);
      LmDemoReport report =
          clock
              .time(
                  "report",
                  () ->
                      LmDemoReport.build(
                          settings,
                          teacher,
                          jobs,
                          events,
                          log,
                          dropped,
                          runner.positionsPerSecond(),
                          teacherContinuations))
              .withPhases(clock.phases());
      report.write(settings.runDir());
      out.println();
      out.println(report.table());
      out.println(report.phaseTimes());
      out.println("Report: " + settings.runDir().resolve("report.html") + " and report.json");
      return report;
    }
  }

  private DemoStack.ServiceSettings serviceSettings(LmTeacher teacher, Path austenDir) {
    Map<String, String> labeler = new HashMap<>();
    labeler.put("distillery.labeler.teacher.task", "causal-lm");
    labeler.put("distillery.labeler.text.tokenizer", teacher.tokenizer().toString());
    labeler.put("distillery.labeler.top-k", Integer.toString(settings.topK()));
    labeler.put("distillery.labeler.temperature", "1.0");
    labeler.put("distillery.labeler.text.max-bytes", Integer.toString(settings.promptBytes() * 2));
    // Generation makes a request cost one forward pass per new token: small requests, patience.
    labeler.put("distillery.labeler.batch.max-size", "32");
    labeler.put("distillery.labeler.teacher.label-deadline", "120s");
    if (settings.generationTokens() > 0) {
      labeler.put("distillery.labeler.generation.enabled", "true");
      labeler.put(
          "distillery.labeler.generation.max-new-tokens",
          Integer.toString(settings.generationTokens()));
    }
    Map<String, String> evaluator = new HashMap<>();
    evaluator.put("distillery.evaluator.lm.teacher-dir", teacher.dir().toString());
    evaluator.put("distillery.evaluator.lm.max-tokens", Integer.toString(settings.evalTokens()));
    evaluator.put(
        "distillery.evaluator.lm.continuation-tokens", Integer.toString(CONTINUATION_TOKENS));
    evaluator.put("distillery.janeausten.dir", austenDir.toString());
    return new DemoStack.ServiceSettings(labeler, evaluator);
  }

  /**
   * The training novels as text prompts: from the start of each novel an equal share of {@code
   * textBytes}, cut at paragraph ends into prompts of at most {@code promptBytes}; ids {@code
   * <novel>-<n>}.
   */
  List<Document> prompts(Path austenDir) throws java.io.IOException {
    List<Document> novels = JaneAusten.training(austenDir).documents();
    long share = settings.textBytes() <= 0 ? Long.MAX_VALUE : settings.textBytes() / novels.size();
    List<Document> prompts = new ArrayList<>();
    for (Document novel : novels) {
      String text = novel.text();
      StringBuilder chunk = new StringBuilder();
      long taken = 0;
      int n = 0;
      for (String paragraph : text.split("\n\n")) {
        int bytes = paragraph.getBytes(StandardCharsets.UTF_8).length + 2;
        if (taken + bytes > share) {
          break;
        }
        if (chunk.length() > 0
            && chunk.toString().getBytes(StandardCharsets.UTF_8).length + bytes
                > settings.promptBytes()) {
          prompts.add(new Document(novel.id() + "-" + ++n, chunk.toString()));
          chunk.setLength(0);
        }
        if (bytes > settings.promptBytes()) {
          // A paragraph longer than a prompt: its own prompts, cut at characters (≤ 4 bytes each).
          if (chunk.length() > 0) {
            prompts.add(new Document(novel.id() + "-" + ++n, chunk.toString()));
            chunk.setLength(0);
          }
          int piece = Math.max(1, settings.promptBytes() / 4);
          for (int from = 0; from < paragraph.length(); from += piece) {
            int to = Math.min(paragraph.length(), from + piece);
            if (to < paragraph.length() && Character.isHighSurrogate(paragraph.charAt(to - 1))) {
              to--;
            }
            prompts.add(new Document(novel.id() + "-" + ++n, paragraph.substring(from, to)));
            from = to - piece;
          }
          taken += bytes;
          continue;
        }
        chunk.append(paragraph).append("\n\n");
        taken += bytes;
      }
      if (chunk.length() > 0) {
        prompts.add(new Document(novel.id() + "-" + ++n, chunk.toString()));
      }
    }
    return prompts;
  }

  private long produce(DemoStack stack, List<Document> prompts) {
    long bytes = prompts.stream().mapToLong(Document::utf8Bytes).sum();
    out.printf(
        Locale.ROOT,
        "Producing %,d text prompts (%,d bytes of the training novels)...%n",
        prompts.size(),
        bytes);
    try (Progress progress = Progress.start("prompts", prompts.size(), "prompts", out);
        PromptProducer producer = new PromptProducer(stack.bootstrapServers())) {
      return producer.produceTexts(
          DistilleryTopics.PROMPTS, prompts, "janeausten/train", progress::stepTo);
    }
  }

  private List<DemoJob> jobs() {
    List<DemoJob> jobs = new ArrayList<>();
    for (int seed : settings.seeds()) {
      for (JobKind kind : List.of(JobKind.HARD, JobKind.KD, JobKind.SEQKD)) {
        jobs.add(new DemoJob(settings.student(), kind, seed));
      }
    }
    return jobs;
  }

  private Map<String, String> trainerProperties(DemoJob job, LmTeacher teacher) {
    Map<String, String> properties =
        new HashMap<>(
            job.trainerProperties(settings.training(), settings.runDir().resolve("checkpoints")));
    var lm = teacher.card().languageModel();
    properties.put("distillery.trainer.student.family", "transformer");
    properties.put("distillery.trainer.student.output-size", Integer.toString(lm.vocabSize()));
    properties.put(
        "distillery.trainer.student.context-length", Integer.toString(lm.maxSequenceLength()));
    properties.put("distillery.trainer.student.tokenizer-sha256", lm.tokenizer().sha256());
    return properties;
  }

  static String score(EvaluationEvent event) {
    return String.format(
        Locale.ROOT,
        "%.3f bpb KL %.3f",
        event.getMetrics().getBitsPerByte(),
        event.getMetrics().getKlTeacherStudent());
  }
}
