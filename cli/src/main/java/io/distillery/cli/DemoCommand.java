package io.distillery.cli;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.demo.ChosenSettings;
import io.distillery.cli.demo.DemoHooks;
import io.distillery.cli.demo.DemoPipeline;
import io.distillery.cli.demo.DemoSettings;
import io.distillery.cli.demo.LmChosenSettings;
import io.distillery.cli.demo.LmDemoPipeline;
import io.distillery.cli.demo.LmDemoSettings;
import io.distillery.cli.demo.StudentPlan;
import io.distillery.models.augment.TransferSet;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code distillery demo}: the whole pipeline as separate processes, and the result table. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline locally and print the result table: Fashion-MNIST classifiers"
          + " (--track image, the default) or language models on Jane Austen (--track lm).",
      "Builds what is not built, finds (or fetches) the data, trains the teacher once (cached),"
          + " starts Kafka and the four services as separate processes, produces the training"
          + " prompts, runs paired 'hard' and 'kd' student jobs per seed over the same soft-label"
          + " log (the LM track: hard, kd and seqkd), follows their evaluations and writes"
          + " report.html and report.json. Everything it starts is stopped at the end, on failure"
          + " and on Ctrl-C."
    })
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** The demo's tracks: each is its own pipeline over the same services. */
  enum Track {
    image,
    lm
  }

  @Option(
      names = "--track",
      defaultValue = "image",
      description =
          "image (Fashion-MNIST classifiers) or lm (language models distilled from the Austen"
              + " teacher: hard, kd and seqkd per seed); default: ${DEFAULT-VALUE}.")
  Track track;

  @Option(
      names = "--text-bytes",
      description =
          "lm: bytes of the training novels to label (default: "
              + LmChosenSettings.TEXT_BYTES
              + ", --quick "
              + LmChosenSettings.QUICK_TEXT_BYTES
              + "; 0 = all).")
  Long textBytes;

  @Option(
      names = "--alpha",
      description =
          "lm: weight of the next-token cross-entropy in the kd jobs (default: 0.1; hard and seqkd"
              + " jobs always use 1).")
  Float alpha;

  @Option(
      names = "--seeds",
      defaultValue = "3",
      description =
          "Paired seeds (1..N); each runs a hard and a kd job (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(
      names = "--quick",
      description =
          "One seed and a third of the passes (lm: less text, fewer passes): a few minutes once"
              + " the teacher is cached.")
  boolean quick;

  @Option(
      names = "--students",
      split = ",",
      paramLabel = "FAMILY",
      description = "Student families to run (default: all of mlp, cnn).")
  List<String> students;

  @Option(
      names = "--views",
      paramLabel = "K",
      description =
          "Views per training image in the transfer set (default: 1, the images alone; K > 1 adds"
              + " views shifted by up to 2 px and mixup pairs).")
  Integer views;

  @Option(
      names = "--online",
      description =
          "Also run a kd-online job per seed: the teacher labels shifted views of every batch over"
              + " gRPC (slow: a teacher forward pass per step).")
  boolean online;

  @Option(
      names = "--passes",
      description = "Passes over the soft-label log for every job (default: per student family).")
  Integer passes;

  @Option(
      names = "--prompts",
      defaultValue = "60000",
      description = "Training prompts to label (the first N of 60,000; default: ${DEFAULT-VALUE}).")
  int prompts;

  @Option(
      names = "--parallel-jobs",
      defaultValue = "2",
      description = "Trainer processes side by side (default: ${DEFAULT-VALUE}).")
  int parallelJobs;

  @Option(
      names = "--run-dir",
      description = "Where logs, checkpoints and reports go (default: runs/<date-time>).")
  Path runDir;

  @Mixin DataOptions dataOptions;

  @Option(names = "--teacher-dir", description = "Serve this teacher model directory instead.")
  Path teacherDir;

  @Option(
      names = "--teacher-epochs",
      defaultValue = "20",
      description = "Epochs when the teacher must be trained (default: ${DEFAULT-VALUE}).")
  int teacherEpochs;

  @Option(
      names = "--trainer-property",
      description = "Extra trainer-service property for every job, key=value (repeatable).")
  Map<String, String> trainerProperties = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    return switch (track) {
      case image -> image();
      case lm -> lm();
    };
  }

  private Path runDir(Path root) {
    return runDir != null
        ? runDir.toAbsolutePath()
        : root.resolve("runs")
            .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  /** The language-model track: options of the image track that do not apply are refused. */
  private int lm() throws Exception {
    for (String option :
        List.of("--students", "--views", "--online", "--prompts", "--teacher-epochs")) {
      // (--alpha and --text-bytes are the LM track's own; the image track refuses them below.)
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), option + " does not apply to --track lm");
      }
    }
    Path root = Path.of(System.getProperty("distillery.home", ".")).toAbsolutePath().normalize();
    int lmPasses =
        passes != null ? passes : quick ? LmChosenSettings.QUICK_PASSES : LmChosenSettings.PASSES;
    if (lmPasses < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--passes must be at least 1");
    }
    long bytes =
        textBytes != null
            ? textBytes
            : quick ? LmChosenSettings.QUICK_TEXT_BYTES : LmChosenSettings.TEXT_BYTES;
    if (bytes < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--text-bytes must be >= 0");
    }
    LmDemoSettings settings =
        new LmDemoSettings(
            root,
            runDir(root),
            dataOptions.cacheDir(),
            Optional.ofNullable(teacherDir).map(Path::toAbsolutePath),
            LmChosenSettings.teacher(),
            bytes,
            LmChosenSettings.PROMPT_BYTES,
            LmChosenSettings.TOP_K,
            LmChosenSettings.GENERATION_TOKENS,
            seedList(),
            parallelJobs,
            kdAlpha(LmChosenSettings.training(lmPasses)).withExtra(trainerProperties),
            LmChosenSettings.EVAL_TOKENS,
            2);
    new LmDemoPipeline(settings, dataOptions, DemoHooks.NONE, System.out).run();
    return 0;
  }

  private DemoSettings.Training kdAlpha(DemoSettings.Training chosen) {
    if (alpha == null) {
      return chosen;
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--alpha must be in [0, 1], was " + alpha);
    }
    return new DemoSettings.Training(
        chosen.students(),
        chosen.batchSize(),
        chosen.learningRate(),
        chosen.temperature(),
        alpha,
        chosen.checkpointIntervalSteps(),
        chosen.extra());
  }

  private int image() throws Exception {
    for (String option : List.of("--alpha", "--text-bytes")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), option + " applies to --track lm only");
      }
    }
    Path root = Path.of(System.getProperty("distillery.home", ".")).toAbsolutePath().normalize();
    DemoSettings settings =
        new DemoSettings(
            root,
            runDir(root),
            dataOptions.cacheDir(),
            Optional.ofNullable(teacherDir).map(Path::toAbsolutePath),
            teacherEpochs,
            0,
            prompts,
            seedList(),
            online,
            parallelJobs,
            transferSet(),
            training(),
            2);
    new DemoPipeline(settings, dataOptions, DemoHooks.NONE, System.out).run();
    return 0;
  }

  private TransferSet transferSet() {
    TransferSet chosen = ChosenSettings.transferSet();
    if (views == null || views == chosen.viewsPerImage()) {
      return chosen;
    }
    if (views < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--views must be at least 1, was " + views);
    }
    return views == 1 ? TransferSet.plain() : ChosenSettings.augmented(views);
  }

  private DemoSettings.Training training() {
    DemoSettings.Training chosen = ChosenSettings.training().withExtra(trainerProperties);
    if (students != null) {
      List<StudentPlan> kept =
          chosen.students().stream().filter(s -> students.contains(s.name())).toList();
      if (kept.size() != students.size()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--students "
                + students
                + ": expected some of "
                + chosen.students().stream().map(StudentPlan::name).toList());
      }
      chosen =
          new DemoSettings.Training(
              kept,
              chosen.batchSize(),
              chosen.learningRate(),
              chosen.temperature(),
              chosen.alpha(),
              chosen.checkpointIntervalSteps(),
              chosen.extra());
    }
    if (passes != null) {
      return chosen.withPasses(passes);
    }
    return quick ? chosen.scaledPasses(1 / 3.0) : chosen;
  }

  private List<Integer> seedList() {
    int count = quick ? 1 : seeds;
    if (count < 1) {
      throw new IllegalArgumentException("--seeds must be at least 1, was " + count);
    }
    return IntStream.rangeClosed(1, count).boxed().toList();
  }
}
