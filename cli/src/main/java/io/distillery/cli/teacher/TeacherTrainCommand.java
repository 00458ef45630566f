package io.distillery.cli.teacher;

import ai.djl.MalformedModelException;
import io.distillery.cli.data.DataOptions;
import io.distillery.cli.progress.Progress;
import io.distillery.models.nn.Networks;
import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.models.teacher.CausalLmTeacherTrainer;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import io.distillery.models.teacher.TeacherVerifier;
import io.distillery.models.teacher.TrainingReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distillery teacher train}: trains a teacher with DJL on PyTorch and writes a model
 * directory (DJL parameters, ONNX export, teacher-card.json): the Fashion-MNIST classifier ({@code
 * --task classification}, the default) or a causal language model on Jane Austen's novels or the
 * user's text ({@code --task causal-lm}, which adds a tokenizer.json). See models/README.md.
 */
// Not mixinStandardHelpOptions: its --version would take the teacher's --version option.
@Command(
    name = "train",
    sortOptions = false,
    description = {
      "Train a teacher (DJL, PyTorch engine) and write a model directory: DJL parameters, an ONNX"
          + " export and teacher-card.json. Then, unless --no-verify, compare ONNX Runtime with"
          + " PyTorch on held-out data.",
      "--task classification (default): the Fashion-MNIST CNN; the defaults are the teacher"
          + " recipe, 20 epochs (≈9 min on one core).",
      "--task causal-lm: a byte-level BPE tokenizer and a decoder-only transformer on Jane"
          + " Austen's novels (Persuasion held out) or --corpus FILE; the model directory adds"
          + " tokenizer.json, model.onnx takes input_ids and attention_mask. Default: 15 minutes;"
          + " use --threads 2 on two cores."
    })
public final class TeacherTrainCommand implements Callable<Integer> {

  private static final TeacherTrainingConfig DEFAULTS =
      TeacherTrainingConfig.defaults(Path.of("."), Path.of("."));

  private static final CausalLmTeacherConfig LM_DEFAULTS =
      CausalLmTeacherConfig.defaults(Path.of(CausalLmTeacherConfig.DEFAULT_ID));

  /** Value of --task for the Fashion-MNIST classifier. */
  public static final String TASK_CLASSIFICATION = TeacherCardFile.TASK_CLASSIFICATION;

  /** Value of --task for a causal language model. */
  public static final String TASK_CAUSAL_LM = TeacherCardFile.TASK_CAUSAL_LM;

  private static final List<String> CLASSIFICATION_ONLY =
      List.of(
          "--epochs",
          "--shift",
          "--max-batches",
          "--validation",
          "--split-seed",
          "--network",
          "--data");

  private static final List<String> CAUSAL_LM_ONLY =
      List.of(
          "--minutes",
          "--steps",
          "--vocab",
          "--context",
          "--layers",
          "--width",
          "--heads",
          "--mlp",
          "--warmup",
          "--corpus",
          "--held-out");

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--task",
      paramLabel = "TASK",
      description = "classification (Fashion-MNIST) or causal-lm (default: classification).")
  String task = TASK_CLASSIFICATION;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Model directory to write (created if missing); required for classification, default"
              + " for causal-lm: ./"
              + CausalLmTeacherConfig.DEFAULT_ID
              + ".")
  Path out;

  @Mixin DataOptions dataOptions;

  @Option(names = "--epochs", description = "Passes over the training split (default: 20).")
  int epochs = DEFAULTS.epochs();

  @Option(
      names = "--batch-size",
      description = "Images per step (default: 128); sequences per step for causal-lm (16).")
  Integer batchSize;

  @Option(
      names = "--lr",
      description = "Adam's initial learning rate (default: 0.001); peak for causal-lm (0.002).")
  Float lr;

  @Option(
      names = "--final-lr",
      description =
          "Learning rate at the last step, cosine decay; equal to --lr for a constant rate"
              + " (default: the smaller of 5e-5 and --lr; causal-lm: of 1e-4 and --lr).")
  Float finalLr;

  @Option(
      names = "--seed",
      description = "Seeds weights, dropout, batch order, shifts (default: 1).")
  int seed = DEFAULTS.seed();

  @Option(names = "--shift", description = "±pixels of random shift augmentation (default: 2).")
  int shift = DEFAULTS.shiftPixels();

  @Option(
      names = "--max-batches",
      description = "Batches per epoch at most, 0 = all (default: 0; for quick runs).")
  int maxBatches = DEFAULTS.maxBatches();

  @Option(
      names = "--validation",
      description = "Training images held out for validation (default: 5000).")
  int validation = DEFAULTS.validationSize();

  @Option(
      names = "--split-seed",
      description = "Seed of the validation split every job shares (default: 42).")
  long splitSeed = DEFAULTS.splitSeed();

  @Option(
      names = "--network",
      description =
          "fashion-cnn or mlp-<in>-<hidden>...-<out>[-dropout<rate>] (default: fashion-cnn).")
  String network = DEFAULTS.network().name();

  @Option(
      names = "--minutes",
      description = "causal-lm: training time budget in minutes (default: 15 unless --steps).")
  Double minutes;

  @Option(
      names = "--steps",
      description = "causal-lm: updates to train; with --minutes, whichever ends first.")
  Integer steps;

  @Option(
      names = "--vocab",
      description = "causal-lm: BPE vocabulary size, end-of-text token included (default: 512).")
  int vocab = LM_DEFAULTS.vocabSize();

  @Option(
      names = "--context",
      description = "causal-lm: tokens per sequence, the model's maximum (default: 128).")
  int context = LM_DEFAULTS.contextLength();

  @Option(names = "--layers", description = "causal-lm: decoder blocks (default: 4).")
  int layers = LM_DEFAULTS.layers();

  @Option(names = "--width", description = "causal-lm: model width (default: 128).")
  int width = LM_DEFAULTS.width();

  @Option(names = "--heads", description = "causal-lm: attention heads (default: 4).")
  int heads = LM_DEFAULTS.heads();

  @Option(names = "--mlp", description = "causal-lm: MLP width (default: 4 × --width).")
  Integer mlp;

  @Option(names = "--warmup", description = "causal-lm: linear warm-up steps (default: 100).")
  int warmup = LM_DEFAULTS.warmupSteps();

  @Option(
      names = "--corpus",
      paramLabel = "FILE",
      description =
          "causal-lm: train on this UTF-8 text file or JSON-lines file ({\"text\": ...} per"
              + " line, .jsonl) instead of Jane Austen's novels; its last 10%% is held out unless"
              + " --held-out is given.")
  Path corpus;

  @Option(
      names = "--held-out",
      paramLabel = "FILE",
      description = "causal-lm: evaluate on this text or JSON-lines file (with --corpus).")
  Path heldOut;

  @Option(
      names = "--id",
      description = "Teacher id in the card (default: the network name; causal-lm: austen-lm).")
  String id;

  @Option(names = "--version", description = "Teacher version in the card (default: 1.0.0).")
  String version = DEFAULTS.version();

  @Option(
      names = "--license",
      description = "SPDX licence id of the trained model (default: Apache-2.0).")
  String license = DEFAULTS.licenseSpdx();

  @Option(names = "--threads", description = "PyTorch threads (default: 1).")
  Integer threads;

  @Option(names = "--no-verify", description = "Skip the ONNX Runtime vs PyTorch comparison.")
  boolean noVerify;

  @Option(names = "--quiet", description = "No progress bars.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (TASK_CAUSAL_LM.equals(task)) {
      rejectOptionsOfTheOtherTask(CLASSIFICATION_ONLY, TASK_CAUSAL_LM);
      return callCausalLm();
    }
    if (!TASK_CLASSIFICATION.equals(task)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--task must be " + TASK_CLASSIFICATION + " or " + TASK_CAUSAL_LM + ", got " + task);
    }
    rejectOptionsOfTheOtherTask(CAUSAL_LM_ONLY, TASK_CLASSIFICATION);
    if (out == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Missing required option: '--out=DIR'");
    }
    PrintStream stdout = System.out;
    float learningRate = lr == null ? DEFAULTS.learningRate() : lr;
    TeacherTrainingConfig config;
    try {
      config =
          new TeacherTrainingConfig(
              Networks.byName(network),
              Path.of("."),
              out,
              epochs,
              batchSize == null ? DEFAULTS.batchSize() : batchSize,
              learningRate,
              finalLr == null ? Math.min(learningRate, DEFAULTS.finalLearningRate()) : finalLr,
              seed,
              shift,
              maxBatches,
              validation,
              splitSeed,
              id == null ? network : id,
              version,
              license);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    applyThreads();
    try {
      Path dataDir = dataOptions.locate(stdout);
      config = withDataDir(config, dataDir);
      TrainingReport report = train(config, stdout, !quiet);
      if (!noVerify) {
        TeacherVerifier.printVerification(stdout, out, dataDir);
      }
      printSummary(stdout, report);
      return 0;
    } catch (IOException | MalformedModelException e) {
      System.err.println("distillery teacher train: " + e.getMessage());
      return 1;
    }
  }

  private Integer callCausalLm() throws Exception {
    PrintStream stdout = System.out;
    if (heldOut != null && corpus == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--held-out needs --corpus (the Jane Austen split is fixed)");
    }
    float peak = lr == null ? LM_DEFAULTS.learningRate() : lr;
    CausalLmTeacherConfig config;
    try {
      config =
          new CausalLmTeacherConfig(
              out == null ? LM_DEFAULTS.outputDir() : out,
              vocab,
              context,
              layers,
              width,
              heads,
              mlp == null ? 4 * width : mlp,
              batchSize == null ? LM_DEFAULTS.batchSize() : batchSize,
              peak,
              finalLr == null ? Math.min(peak, LM_DEFAULTS.finalLearningRate()) : finalLr,
              warmup,
              seed,
              steps == null ? 0 : steps,
              minutes != null ? minutes * 60 : steps != null ? 0 : LM_DEFAULTS.maxSeconds(),
              Math.max(1, context / 2),
              id == null ? CausalLmTeacherConfig.DEFAULT_ID : id,
              version,
              license);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    applyThreads();
    try {
      CausalLmTraining.Corpora corpora =
          CausalLmTraining.corpora(corpus, heldOut, dataOptions.cacheDir(), stdout);
      CausalLmTeacherTrainer.Report report =
          CausalLmTraining.train(config, corpora, stdout, !quiet);
      if (!noVerify) {
        CausalLmTeacherTrainer.printVerification(stdout, config.outputDir(), corpora.heldOut());
      }
      CausalLmTraining.printSummary(stdout, report);
      return 0;
    } catch (IOException | MalformedModelException e) {
      System.err.println("distillery teacher train: " + e.getMessage());
      return 1;
    }
  }

  private void rejectOptionsOfTheOtherTask(List<String> options, String taskName) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (String option : options) {
      if (parsed.hasMatchedOption(option)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), option + " does not apply to --task " + taskName);
      }
    }
  }

  private void applyThreads() {
    if (threads != null) {
      if (threads < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1");
      }
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
  }

  /**
   * Trains a teacher with a progress bar per epoch on {@code out}; the trainer's per-epoch and
   * final lines go to {@code out} as well. Sets the DJL defaults a Distillery process wants
   * (offline, one PyTorch thread) unless already set.
   *
   * @param config what to train, from which data, into which directory
   * @param out where the bars and the log lines go
   * @return the report: per-epoch statistics, test errors, the card written
   * @throws IOException if the data cannot be read or the directory cannot be written
   * @throws MalformedModelException if DJL cannot save the model
   */
  public static TrainingReport train(TeacherTrainingConfig config, PrintStream out)
      throws IOException, MalformedModelException {
    return train(config, out, true);
  }

  /**
   * Like {@link #train(TeacherTrainingConfig, PrintStream)}; {@code progress = false} leaves out
   * the bars (the trainer then logs a line every 20 s within an epoch instead).
   */
  public static TrainingReport train(
      TeacherTrainingConfig config, PrintStream out, boolean progress)
      throws IOException, MalformedModelException {
    TeacherTrainer.applyRuntimeDefaults();
    if (!progress) {
      return new TeacherTrainer(config, out).train();
    }
    try (EpochBars bars = new EpochBars(out)) {
      return new TeacherTrainer(config, out, bars).train();
    }
  }

  /** Prints the test accuracy and where the card and the model files are. */
  public static void printSummary(PrintStream out, TrainingReport report) {
    TeacherCardFile card = report.card();
    Path dir = report.outputDir().toAbsolutePath().normalize();
    out.printf(
        Locale.ROOT,
        "Teacher %s %s: test accuracy %.2f%% (%,d errors of %,d), %d epoch%s in %.1f s"
            + " (%,.0f images/s)%n",
        card.id(),
        card.version(),
        100 * report.testAccuracy(),
        report.testErrors(),
        report.testSamples(),
        report.epochs().size(),
        report.epochs().size() == 1 ? "" : "s",
        report.trainingSeconds(),
        report.samplesPerSecond());
    out.printf("Model directory: %s%n", dir);
    out.printf("  %-20s the teacher card%n", TeacherCardFile.FILE_NAME);
    for (TeacherCardFile.FileEntry file : card.files().values()) {
      out.printf(Locale.ROOT, "  %-20s %s, %,d bytes%n", file.name(), file.format(), file.bytes());
    }
  }

  private static TeacherTrainingConfig withDataDir(TeacherTrainingConfig c, Path dataDir) {
    return new TeacherTrainingConfig(
        c.network(),
        dataDir,
        c.outputDir(),
        c.epochs(),
        c.batchSize(),
        c.learningRate(),
        c.finalLearningRate(),
        c.seed(),
        c.shiftPixels(),
        c.maxBatches(),
        c.validationSize(),
        c.splitSeed(),
        c.modelId(),
        c.version(),
        c.licenseSpdx());
  }

  /** One progress bar per epoch, counting images, with the epoch's running mean loss. */
  private static final class EpochBars implements TeacherTrainer.Listener, AutoCloseable {
    private final PrintStream out;
    private Progress bar;
    private double lossSum;

    EpochBars(PrintStream out) {
      this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches, int samples) {
      close();
      lossSum = 0;
      bar = Progress.start(String.format("Epoch %d/%d", epoch, epochs), samples, "images", out);
    }

    @Override
    public void batchTrained(int epoch, int batch, int samples, float loss) {
      lossSum += loss;
      if (bar != null) {
        bar.stepTo(samples);
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", lossSum / batch));
      }
    }

    @Override
    public void epochFinished(TrainingReport.EpochStats stats) {
      close();
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
