package io.distillery.trainer.bench;

import ai.djl.Model;
import io.distillery.models.augment.TransferSet;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.data.ValidationSplit;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.HardLabel;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.TopK;
import io.distillery.models.student.StudentModels;
import io.distillery.models.task.DistillationTasks;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.job.OptimizerKind;
import io.distillery.trainer.labels.SoftLabel;
import io.distillery.trainer.support.SoftLabels;
import io.distillery.trainer.training.LearningRateSchedule;
import io.distillery.trainer.training.OfflineTargets;
import io.distillery.trainer.training.ShuffleBuffer;
import io.distillery.trainer.training.StepResult;
import io.distillery.trainer.training.StudentTrainer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses the distillation settings of the Fashion-MNIST demo (docs/choosing-kd-settings.md):
 * trains paired students — {@code hard} (alpha 1, ground truth only) and {@code kd} (the teacher's
 * soft labels) with the same seed, i.e. the same initialisation and batch order — for a list of
 * configurations, and prints errors, agreement with the teacher and the fraction of the
 * teacher–scratch gap that KD recovers: (errors_hard − errors_kd) / (errors_hard − errors_teacher).
 *
 * <p>Everything a job sees is reproduced: the labeler's representation (top-k log-probabilities at
 * the labeler's temperature, fp16 through {@link SparseCodec}, re-tempered to the job's T by {@link
 * SoftTargets#retemper} exactly as the trainer's admission does), {@link OfflineTargets} batches,
 * the {@link io.distillery.models.loss.DistillationLoss}, {@link StudentTrainer} (ResumableAdam),
 * the {@link LearningRateSchedule}, and the job's batch order: the log read in offset order through
 * a seeded {@link ShuffleBuffer} per pass (one partition, one checkpoint segment per pass).
 *
 * <p>{@code --mode validation} (default) trains on 55,000 training images and evaluates on the
 * 5,000 held out by {@link ValidationSplit#standard} (the split the teacher also held out); {@code
 * --mode test} trains on all 60,000 and evaluates on t10k — run it once, for the chosen settings.
 *
 * <p>Options: {@code --teacher-dir DIR} (/tmp/distillery-teacher), {@code --work DIR}
 * (/tmp/distillery-kd-sweep: cached teacher logits and {@code results-<mode>.tsv}, from which
 * finished runs are reused), {@code --seeds 1,2}, and one {@code --run SPEC} per configuration,
 * SPEC being {@code key=value} pairs separated by {@code ;}:
 *
 * <pre>
 *   h=128        hidden sizes, 'x'-separated (256x256)   drop=0    dropout
 *                (h=cnn8-16-64: a small CNN probe, which trainer-service cannot train)
 *   bs=128       batch size                              ep=30     passes
 *   lr=1e-3      learning rate                           sched=constant | cosine
 *   final=0      cosine's final learning rate            warm=0    warm-up steps
 *   T=2          temperature                             a=0.5     alpha (hard-label CE weight)
 *   div=forward-kl                                       topk=10   labeler top-k (10 = all)
 *   lt=1         the labeler's temperature               buf=4096  shuffle buffer
 * </pre>
 *
 * The hard-label partner of each run is the same SPEC with {@code a=1} (T, divergence and labels do
 * not matter then); it is trained once and shared by every kd run with the same student and
 * schedule.
 */
public final class KdSweep {

  private static final int CLASSES = FashionMnist.NUM_CLASSES;
  // The demo's transfer sets use the same seed (DemoSettings): the views here are the demo's views.
  static final long TRANSFER_SEED = 2026;

  private KdSweep() {}

  /** One configuration. */
  record Config(
      List<Integer> hidden,
      float dropout,
      int batch,
      int epochs,
      float lr,
      String schedule,
      float finalLr,
      int warmup,
      float temperature,
      float alpha,
      String divergence,
      int topK,
      float labelerTemperature,
      int buffer,
      TransferSet transfer) {

    static Config parse(String spec) {
      Map<String, String> kv = new LinkedHashMap<>();
      for (String part : spec.split(";")) {
        if (part.isBlank()) {
          continue;
        }
        String[] pair = part.split("=", 2);
        if (pair.length != 2) {
          throw new IllegalArgumentException("expected key=value, got " + part);
        }
        kv.put(pair[0].trim(), pair[1].trim());
      }
      List<Integer> hidden = new ArrayList<>();
      String h = kv.getOrDefault("h", "128");
      if (h.startsWith("cnn")) {
        // A small CNN student (not a trainer-service student): negative widths mark it.
        for (String w : h.substring(3).split("-")) {
          hidden.add(-Integer.parseInt(w));
        }
      } else {
        for (String w : h.split("x")) {
          hidden.add(Integer.parseInt(w));
        }
      }
      Config config =
          new Config(
              List.copyOf(hidden),
              Float.parseFloat(kv.getOrDefault("drop", "0")),
              Integer.parseInt(kv.getOrDefault("bs", "128")),
              Integer.parseInt(kv.getOrDefault("ep", "30")),
              Float.parseFloat(kv.getOrDefault("lr", "1e-3")),
              kv.getOrDefault("sched", "constant"),
              Float.parseFloat(kv.getOrDefault("final", "0")),
              Integer.parseInt(kv.getOrDefault("warm", "0")),
              Float.parseFloat(kv.getOrDefault("T", "2")),
              Float.parseFloat(kv.getOrDefault("a", "0.5")),
              kv.getOrDefault("div", "forward-kl"),
              Integer.parseInt(kv.getOrDefault("topk", "10")),
              Float.parseFloat(kv.getOrDefault("lt", "1")),
              Integer.parseInt(kv.getOrDefault("buf", "4096")),
              new TransferSet(
                  Integer.parseInt(kv.getOrDefault("v", "1")),
                  Integer.parseInt(kv.getOrDefault("sh", "0")),
                  kv.getOrDefault("fl", "0").equals("1"),
                  Float.parseFloat(kv.getOrDefault("mx", "0")),
                  Float.parseFloat(kv.getOrDefault("ma", "1")),
                  TRANSFER_SEED));
      kv.keySet()
          .removeAll(
              List.of(
                  "h", "drop", "bs", "ep", "lr", "sched", "final", "warm", "T", "a", "div", "topk",
                  "lt", "buf", "v", "sh", "fl", "mx", "ma"));
      if (!kv.isEmpty()) {
        throw new IllegalArgumentException("unknown keys " + kv.keySet() + " in " + spec);
      }
      return config;
    }

    boolean hardOnly() {
      return alpha >= 1f;
    }

    /** The hard-label partner: same student, schedule and order, alpha 1. */
    Config hard() {
      return new Config(
          hidden,
          dropout,
          batch,
          epochs,
          lr,
          schedule,
          finalLr,
          warmup,
          1f,
          1f,
          "forward-kl",
          CLASSES,
          1f,
          buffer,
          transfer);
    }

    boolean cnn() {
      return hidden.get(0) < 0;
    }

    String studentKey() {
      StringBuilder s = new StringBuilder(cnn() ? "h=cnn" : "h=");
      for (int i = 0; i < hidden.size(); i++) {
        s.append(i == 0 ? "" : cnn() ? "-" : "x").append(Math.abs(hidden.get(i)));
      }
      s.append(";drop=").append(fmt(dropout));
      s.append(";bs=").append(batch).append(";ep=").append(epochs);
      s.append(";lr=").append(fmt(lr)).append(";sched=").append(schedule);
      if (!schedule.equals("constant")) {
        s.append(";final=").append(fmt(finalLr));
      }
      if (warmup > 0) {
        s.append(";warm=").append(warmup);
      }
      if (buffer != 4096) {
        s.append(";buf=").append(buffer);
      }
      if (transfer.viewsPerImage() > 1) {
        s.append(";").append(transferKey(transfer));
      }
      return s.toString();
    }

    /** Canonical text, the key of the results file. */
    String key() {
      if (hardOnly()) {
        return studentKey() + ";a=1";
      }
      String s = studentKey() + ";T=" + fmt(temperature) + ";a=" + fmt(alpha);
      if (!divergence.equals("forward-kl")) {
        s += ";div=" + divergence;
      }
      if (topK != CLASSES) {
        s += ";topk=" + topK;
      }
      if (labelerTemperature != 1f) {
        s += ";lt=" + fmt(labelerTemperature);
      }
      return s;
    }

    /** The student, as trainer-service builds it: h=cnnA-B-C is a cnn with convs A, B and FC C. */
    NetworkSpec network() {
      List<Long> shape = List.of(1L, 28L, 28L);
      if (cnn()) {
        List<Integer> widths = hidden.stream().map(w -> -w).toList();
        return StudentModels.network(
            StudentModels.cnn(
                shape,
                widths.subList(0, widths.size() - 1),
                widths.subList(widths.size() - 1, widths.size()),
                CLASSES,
                dropout));
      }
      return StudentModels.network(StudentModels.mlp(shape, hidden, CLASSES, dropout));
    }

    LossSettings loss() {
      return LossSettings.of(Divergence.fromName(divergence), temperature, alpha);
    }

    LearningRateSchedule schedule(long totalSteps) {
      return new LearningRateSchedule(
          LearningRateSchedule.Kind.valueOf(schedule.toUpperCase(java.util.Locale.ROOT)),
          lr,
          schedule.equals("constant") ? lr : finalLr,
          warmup,
          totalSteps);
    }
  }

  /** One trained student. */
  record Result(
      String key,
      int seed,
      int errors,
      double agreement,
      double klT1,
      double seconds,
      double samplesPerSecond,
      String curve) {

    String tsv() {
      return String.join(
          "\t",
          key,
          Integer.toString(seed),
          Integer.toString(errors),
          fmt4(agreement),
          fmt4(klT1),
          String.format(Locale.ROOT, "%.1f", seconds),
          String.format(Locale.ROOT, "%.0f", samplesPerSecond),
          curve);
    }

    static Result parse(String line) {
      String[] f = line.split("\t");
      return new Result(
          f[0],
          Integer.parseInt(f[1]),
          Integer.parseInt(f[2]),
          Double.parseDouble(f[3]),
          Double.parseDouble(f[4]),
          Double.parseDouble(f[5]),
          Double.parseDouble(f[6]),
          f.length > 7 ? f[7] : "");
    }
  }

  public static void main(String[] args) throws Exception {
    Path teacherDir = Path.of(stringArg(args, "--teacher-dir", "/tmp/distillery-teacher"));
    Path work = Path.of(stringArg(args, "--work", "/tmp/distillery-kd-sweep"));
    String mode = stringArg(args, "--mode", "validation");
    if (!mode.equals("validation") && !mode.equals("test")) {
      throw new IllegalArgumentException("--mode must be validation or test, got " + mode);
    }
    int curveEvery = Integer.parseInt(stringArg(args, "--curve-every", "5"));
    List<Integer> seeds = new ArrayList<>();
    for (String s : stringArg(args, "--seeds", "1,2").split(",")) {
      seeds.add(Integer.parseInt(s.trim()));
    }
    List<Config> configs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--run")) {
        configs.add(Config.parse(args[++i]));
      }
    }
    if (configs.isEmpty()) {
      configs.add(Config.parse(""));
    }
    Files.createDirectories(work);

    LabeledImages train60k = FashionMnist.train(FashionMnistLocator.locate());
    LabeledImages test = FashionMnist.test(FashionMnistLocator.locate());
    float[][] teacher = teacherLogits(teacherDir, work, train60k, test);
    LabeledImages trainSet;
    LabeledImages evalSet;
    float[] trainLogits;
    float[] evalLogits;
    if (mode.equals("validation")) {
      ValidationSplit split = ValidationSplit.standard(train60k);
      trainSet = split.train();
      evalSet = split.validation();
      trainLogits = rows(teacher[0], split.trainIndices());
      evalLogits = rows(teacher[0], split.validationIndices());
    } else {
      trainSet = train60k;
      evalSet = test;
      trainLogits = teacher[0];
      evalLogits = teacher[1];
    }
    int[] teacherPredictions = LogSoftmax.argMax(evalLogits, CLASSES);
    int teacherErrors = errors(teacherPredictions, evalSet.labels());
    System.out.printf(
        Locale.ROOT,
        "mode %s: train on %d, evaluate on %d; teacher %s: %d errors (%.2f%%) on the evaluation"
            + " set; seeds %s; PyTorch threads %s%n",
        mode,
        trainSet.size(),
        evalSet.size(),
        teacherDir,
        teacherErrors,
        100.0 * (evalSet.size() - teacherErrors) / evalSet.size(),
        seeds,
        System.getProperty("ai.djl.pytorch.num_threads", "default"));

    Path resultsFile = work.resolve("results-" + mode + ".tsv");
    Map<String, Result> done = load(resultsFile);
    TeacherCard card = card(teacherDir);
    Map<String, Inputs> transferSets = new java.util.HashMap<>();

    for (Config config : configs) {
      Inputs inputs =
          transferSets.computeIfAbsent(
              transferKey(config.transfer()),
              key -> {
                try {
                  return config.transfer().viewsPerImage() == 1
                      ? new Inputs(trainSet, trainLogits)
                      : Inputs.views(trainSet, config.transfer(), teacherDir, work, mode);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      for (int seed : seeds) {
        for (Config run : config.hardOnly() ? List.of(config) : List.of(config.hard(), config)) {
          String id = run.key() + "#" + seed;
          if (done.containsKey(id)) {
            continue;
          }
          Result result = train(run, seed, inputs, card, evalSet, evalLogits, curveEvery);
          done.put(id, result);
          Files.writeString(
              resultsFile,
              result.tsv() + "\n",
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
          System.out.printf(
              Locale.ROOT,
              "RUN %s seed %d: %d errors, agreement %.4f, KL(teacher‖student, T=1) %.4f, %.0f s"
                  + " (%.0f samples/s)  [%s]%n",
              run.key(),
              seed,
              result.errors(),
              result.agreement(),
              result.klT1(),
              result.seconds(),
              result.samplesPerSecond(),
              result.curve());
          System.out.flush();
        }
      }
    }
    summary(configs, seeds, done, teacherErrors, evalSet.size());
  }

  // ---- training ------------------------------------------------------------------------------

  /** The transfer set as per-sample arrays with their ground truth and teacher logits. */
  private static final class Inputs {
    final float[][] rows;
    final HardLabel[] truths;
    final float[] logits;
    final long[] shape;

    Inputs(float[][] rows, HardLabel[] truths, float[] logits, long[] shape) {
      this.rows = rows;
      this.truths = truths;
      this.logits = logits;
      this.shape = shape;
    }

    /** The images themselves. */
    Inputs(LabeledImages images, float[] logits) {
      this(new float[images.size()][], new HardLabel[images.size()], logits, images.sampleShape());
      int per = images.sampleSize();
      for (int i = 0; i < rows.length; i++) {
        rows[i] = Arrays.copyOfRange(images.images(), i * per, (i + 1) * per);
        truths[i] = HardLabel.of(images.labels()[i]);
      }
    }

    /** Every view of a transfer set, labelled by the teacher (logits cached under work). */
    static Inputs views(
        LabeledImages images, TransferSet transfer, Path teacherDir, Path work, String mode)
        throws Exception {
      int k = transfer.viewsPerImage();
      int n = Math.toIntExact(transfer.size(images.size()));
      float[][] rows = new float[n][];
      HardLabel[] truths = new HardLabel[n];
      for (int i = 0; i < images.size(); i++) {
        for (int v = 0; v < k; v++) {
          TransferSet.View view = transfer.view(images, i, v);
          rows[i * k + v] = view.pixels();
          truths[i * k + v] =
              view.mixed()
                  ? HardLabel.mixed(view.label(), view.secondLabel(), view.weight())
                  : HardLabel.of(view.label());
        }
      }
      TeacherCardFile card = TeacherArtifacts.checkFiles(teacherDir);
      String sha = card.file(TeacherCardFile.FILE_PARAMS).sha256().substring(0, 16);
      Path cache =
          work.resolve(
              "view-logits-"
                  + sha
                  + "-"
                  + mode
                  + "-"
                  + transferKey(transfer).replace(';', '_').replace("=", "")
                  + ".bin");
      float[] logits;
      if (Files.exists(cache)) {
        try (DataInputStream in =
            new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
          logits = readFloats(in);
        }
      } else {
        long started = System.nanoTime();
        logits = new float[n * CLASSES];
        int per = images.sampleSize();
        try (Model model = TeacherArtifacts.loadPyTorch(teacherDir)) {
          ModelRunner runner = new ModelRunner(model, images.sampleShape());
          for (int start = 0; start < n; start += 500) {
            int count = Math.min(500, n - start);
            float[] batch = new float[count * per];
            for (int i = 0; i < count; i++) {
              System.arraycopy(rows[start + i], 0, batch, i * per, per);
            }
            System.arraycopy(
                runner.forward(batch, count), 0, logits, start * CLASSES, count * CLASSES);
          }
        }
        try (DataOutputStream out =
            new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
          writeFloats(out, logits);
        }
        System.out.printf(
            Locale.ROOT,
            "teacher logits of %d views (%s) in %.1f s%n",
            n,
            transferKey(transfer),
            (System.nanoTime() - started) / 1e9);
      }
      return new Inputs(rows, truths, logits, images.sampleShape());
    }
  }

  /** The soft labels a job reads from the log, already admitted at the job's temperature. */
  static List<SoftLabel> labels(Inputs inputs, TeacherCard card, Config config) {
    float[] logits = inputs.logits;
    List<SoftLabel> labels = new ArrayList<>(inputs.rows.length);
    for (int i = 0; i < inputs.rows.length; i++) {
      SparseDistribution served =
          TopK.of(logits, i * CLASSES, CLASSES, config.topK(), config.labelerTemperature());
      // Through the log's codec: ids as varints, log-probabilities as fp16.
      SparseDistribution stored = SparseCodec.decode(SparseCodec.encode(List.of(served)), 1).get(0);
      float t = config.temperature();
      if (Math.abs(config.labelerTemperature() - t) > 1e-4f) {
        // What LabelAdmission does; it refuses top-k below all classes at another temperature.
        stored = SoftTargets.retemper(stored, CLASSES, config.labelerTemperature(), t);
      }
      labels.add(
          SoftLabels.image(
              i, "train-" + i, inputs.rows[i], inputs.shape, inputs.truths[i], card, t, stored));
    }
    return labels;
  }

  static Result train(
      Config config,
      int seed,
      Inputs inputs,
      TeacherCard card,
      LabeledImages evalSet,
      float[] evalLogits,
      int curveEvery)
      throws Exception {
    List<SoftLabel> log = labels(inputs, card, config);
    NetworkSpec network = config.network();
    LossSettings loss = config.loss();
    OfflineTargets targets =
        new OfflineTargets(DistillationTasks.of(Task.TASK_CLASSIFICATION), network, loss);
    int n = log.size();
    int batch = config.batch();
    long stepsPerPass = (n + batch - 1) / batch;
    LearningRateSchedule schedule = config.schedule(config.epochs() * stepsPerPass);
    StringBuilder curve = new StringBuilder();
    long samples = 0;
    long step = 0;
    double trainSeconds = 0;
    try (StudentTrainer student =
        new StudentTrainer(network, loss, OptimizerKind.ADAM, config.lr(), seed, null, null)) {
      ModelRunner runner = new ModelRunner(student.model(), network.sampleShape());
      for (int pass = 0; pass < config.epochs(); pass++) {
        long started = System.nanoTime();
        // As DistillationService: one partition read in offset order, one segment per pass
        // (checkpoint.interval-steps × batch-size ≥ the pass), shuffled through the buffer.
        ShuffleBuffer<SoftLabel> buffer =
            new ShuffleBuffer<>(config.buffer(), mix(mix(seed, pass), 0));
        int read = 0;
        while (true) {
          while (read < n && !buffer.isFull()) {
            buffer.add(log.get(read++));
          }
          boolean ended = read >= n;
          if (buffer.size() >= batch || (ended && !buffer.isEmpty())) {
            List<SoftLabel> drawn = buffer.draw(batch);
            StepResult result = student.step(targets.batch(drawn), schedule.at(step));
            if (!Float.isFinite(result.total())) {
              throw new IllegalStateException("loss " + result.total() + " at step " + step);
            }
            step++;
            samples += drawn.size();
          } else if (ended) {
            break;
          }
        }
        trainSeconds += (System.nanoTime() - started) / 1e9;
        if (curveEvery > 0 && (pass + 1) % curveEvery == 0 && pass + 1 < config.epochs()) {
          int errors =
              errors(LogSoftmax.argMax(runner.logits(evalSet, 1000), CLASSES), evalSet.labels());
          curve.append(curve.length() == 0 ? "" : " ").append(pass + 1).append(':').append(errors);
        }
      }
      float[] logits = runner.logits(evalSet, 1000);
      int[] predicted = LogSoftmax.argMax(logits, CLASSES);
      int errors = errors(predicted, evalSet.labels());
      int[] teacherPredicted = LogSoftmax.argMax(evalLogits, CLASSES);
      int agree = 0;
      for (int i = 0; i < predicted.length; i++) {
        agree += predicted[i] == teacherPredicted[i] ? 1 : 0;
      }
      return new Result(
          config.key(),
          seed,
          errors,
          (double) agree / predicted.length,
          meanKl(evalLogits, logits),
          trainSeconds,
          samples / trainSeconds,
          curve.toString());
    }
  }

  // ---- reporting -----------------------------------------------------------------------------

  private static void summary(
      List<Config> configs,
      List<Integer> seeds,
      Map<String, Result> done,
      int teacherErrors,
      int evalSize) {
    System.out.printf(
        Locale.ROOT,
        "%nteacher: %d errors of %d%n%n| kd configuration | seeds | hard errors | kd errors |"
            + " agreement hard → kd | gap recovered per seed | mean | s/job (kd) |%n"
            + "|---|---|---|---|---|---|---|---|%n",
        teacherErrors,
        evalSize);
    for (Config config : configs) {
      if (config.hardOnly()) {
        continue;
      }
      List<Double> recovered = new ArrayList<>();
      List<String> hardErrors = new ArrayList<>();
      List<String> kdErrors = new ArrayList<>();
      double agreeHard = 0;
      double agreeKd = 0;
      double seconds = 0;
      for (int seed : seeds) {
        Result hard = done.get(config.hard().key() + "#" + seed);
        Result kd = done.get(config.key() + "#" + seed);
        if (hard == null || kd == null) {
          continue;
        }
        hardErrors.add(Integer.toString(hard.errors()));
        kdErrors.add(Integer.toString(kd.errors()));
        recovered.add((double) (hard.errors() - kd.errors()) / (hard.errors() - teacherErrors));
        agreeHard += hard.agreement();
        agreeKd += kd.agreement();
        seconds += kd.seconds();
      }
      int k = recovered.size();
      if (k == 0) {
        continue;
      }
      double mean = recovered.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      StringBuilder per = new StringBuilder();
      for (double r : recovered) {
        per.append(per.length() == 0 ? "" : " / ")
            .append(String.format(Locale.ROOT, "%.0f%%", 100 * r));
      }
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %s | %.4f → %.4f | %s | %.0f%% | %.0f |%n",
          config.key(),
          k,
          String.join(" / ", hardErrors),
          String.join(" / ", kdErrors),
          agreeHard / k,
          agreeKd / k,
          per,
          100 * mean,
          seconds / k);
    }
  }

  // ---- teacher -------------------------------------------------------------------------------

  /** The teacher's logits on the 60,000 training and 10,000 test images, cached under work. */
  private static float[][] teacherLogits(
      Path teacherDir, Path work, LabeledImages train, LabeledImages test) throws Exception {
    TeacherCardFile card = TeacherArtifacts.checkFiles(teacherDir);
    String sha = card.file(TeacherCardFile.FILE_PARAMS).sha256().substring(0, 16);
    Path cache = work.resolve("teacher-logits-" + sha + ".bin");
    if (Files.exists(cache)) {
      try (DataInputStream in =
          new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
        return new float[][] {readFloats(in), readFloats(in)};
      }
    }
    long started = System.nanoTime();
    float[] trainLogits;
    float[] testLogits;
    try (Model model = TeacherArtifacts.loadPyTorch(teacherDir)) {
      ModelRunner runner = new ModelRunner(model, train.sampleShape());
      trainLogits = runner.logits(train, 500);
      testLogits = runner.logits(test, 500);
    }
    Path tmp = work.resolve(cache.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
      writeFloats(out, trainLogits);
      writeFloats(out, testLogits);
    }
    Files.move(tmp, cache, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.printf(
        Locale.ROOT,
        "teacher logits of %d + %d images in %.1f s, cached in %s%n",
        train.size(),
        test.size(),
        (System.nanoTime() - started) / 1e9,
        cache);
    return new float[][] {trainLogits, testLogits};
  }

  private static TeacherCard card(Path teacherDir) throws IOException {
    TeacherCardFile file = TeacherCardFile.read(teacherDir);
    return TeacherCard.newBuilder()
        .setModelId(file.id())
        .setVersion(file.version())
        .setOutputSize(file.outputSize())
        .addAllInputShape(file.inputShape())
        .build();
  }

  // ---- small helpers -------------------------------------------------------------------------

  static String transferKey(TransferSet t) {
    return "v="
        + t.viewsPerImage()
        + ";sh="
        + t.maxShift()
        + ";fl="
        + (t.flip() ? 1 : 0)
        + ";mx="
        + fmt(t.mixupFraction())
        + ";ma="
        + fmt(t.mixupAlpha());
  }

  private static Map<String, Result> load(Path file) throws IOException {
    Map<String, Result> results = new TreeMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          Result r = Result.parse(line);
          results.put(r.key() + "#" + r.seed(), r);
        }
      }
    }
    return results;
  }

  private static float[] rows(float[] matrix, int[] indices) {
    float[] out = new float[indices.length * CLASSES];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(matrix, indices[i] * CLASSES, out, i * CLASSES, CLASSES);
    }
    return out;
  }

  private static int errors(int[] predicted, int[] labels) {
    int errors = 0;
    for (int i = 0; i < predicted.length; i++) {
      errors += predicted[i] != labels[i] ? 1 : 0;
    }
    return errors;
  }

  /** Mean KL(teacher ‖ student) at T = 1 over the rows. */
  private static double meanKl(float[] teacher, float[] student) {
    int n = teacher.length / CLASSES;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float[] p =
          LogSoftmax.apply(
              Arrays.copyOfRange(teacher, i * CLASSES, (i + 1) * CLASSES), CLASSES, 1f);
      float[] q =
          LogSoftmax.apply(
              Arrays.copyOfRange(student, i * CLASSES, (i + 1) * CLASSES), CLASSES, 1f);
      for (int c = 0; c < CLASSES; c++) {
        sum += Math.exp(p[c]) * (p[c] - q[c]);
      }
    }
    return sum / n;
  }

  private static long mix(long seed, long value) {
    return seed * 0x9E3779B97F4A7C15L + value;
  }

  private static void writeFloats(OutputStream stream, float[] values) throws IOException {
    DataOutputStream out = (DataOutputStream) stream;
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static float[] readFloats(InputStream stream) throws IOException {
    DataInputStream in = (DataInputStream) stream;
    float[] values = new float[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }

  private static String fmt(float v) {
    return v == (long) v ? Long.toString((long) v) : Float.toString(v);
  }

  private static String fmt4(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
