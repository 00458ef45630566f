package io.distillery.models.teacher;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.data.ShiftAugmentation;
import io.distillery.models.data.ValidationSplit;
import io.distillery.models.digest.Sha256;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.onnx.OnnxExporter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a teacher on Fashion-MNIST with DJL on the PyTorch engine (Adam, softmax cross-entropy,
 * optional shift augmentation, seeded) and writes a model directory with the DJL parameters, an
 * ONNX export of the same network in inference mode and a {@link TeacherCardFile}.
 */
public final class TeacherTrainer {
  // Small batches keep activations below malloc's mmap threshold (see NativeMemory).
  private static final int EVAL_BATCH = 64;
  private static final long PROGRESS_NANOS = 20_000_000_000L;

  private final TeacherTrainingConfig config;
  private final PrintStream log;
  private final Listener listener;

  /**
   * Follows a training run batch by batch, e.g. to draw a progress bar. Called on the training
   * thread; it only observes, so a listener never changes what is trained.
   */
  public interface Listener {
    /** A listener that does nothing. */
    Listener NONE = new Listener() {};

    /**
     * An epoch starts.
     *
     * @param epoch 1-based epoch number
     * @param epochs epochs in the run
     * @param batches batches this epoch will train
     * @param samples images this epoch will train
     */
    default void epochStarted(int epoch, int epochs, int batches, int samples) {}

    /**
     * One batch was trained.
     *
     * @param epoch 1-based epoch number
     * @param batch 1-based batch number within the epoch
     * @param samples images trained so far in this epoch
     * @param loss the batch's training loss
     */
    default void batchTrained(int epoch, int batch, int samples, float loss) {}

    /**
     * An epoch ended, validation included; called before its summary line is logged.
     *
     * @param stats the epoch's statistics
     */
    default void epochFinished(TrainingReport.EpochStats stats) {}
  }

  /**
   * Creates a trainer.
   *
   * @param config what to train and where to write it
   * @param log where progress lines go (e.g. {@code System.out})
   */
  public TeacherTrainer(TeacherTrainingConfig config, PrintStream log) {
    this(config, log, Listener.NONE);
  }

  /**
   * Creates a trainer that also reports every batch to a listener. With a listener other than
   * {@link Listener#NONE} the periodic in-epoch progress lines are left to the listener; the
   * per-epoch and final lines still go to {@code log}.
   *
   * @param config what to train and where to write it
   * @param log where progress lines go (e.g. {@code System.out})
   * @param listener follows the run batch by batch
   */
  public TeacherTrainer(TeacherTrainingConfig config, PrintStream log, Listener listener) {
    this.config = config;
    this.log = log;
    this.listener = java.util.Objects.requireNonNull(listener, "listener");
  }

  /**
   * Sets the DJL system properties a Distillery process wants unless already set: offline mode (the
   * PyTorch natives come from the {@code pytorch-native-cpu} jar, nothing is downloaded) and one
   * PyTorch thread (two shared cores; see NOTES.md).
   */
  public static void applyRuntimeDefaults() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
  }

  /**
   * Runs the training, evaluates on the test set and writes the model directory.
   *
   * @return statistics, test errors and the written card
   * @throws IOException if data cannot be read or the directory cannot be written
   * @throws MalformedModelException if DJL cannot save the model
   */
  public TrainingReport train() throws IOException, MalformedModelException {
    NetworkSpec spec = config.network();
    long readStart = System.nanoTime();
    ValidationSplit split =
        ValidationSplit.of(
            FashionMnist.train(config.dataDir()), config.validationSize(), config.splitSeed());
    LabeledImages test = FashionMnist.test(config.dataDir());
    log.printf(
        Locale.ROOT,
        "data: %d train, %d validation, %d test images from %s (%.1f s)%n",
        split.train().size(),
        split.validation().size(),
        test.size(),
        config.dataDir(),
        seconds(System.nanoTime() - readStart));

    Engine engine = Engine.getEngine(TeacherArtifacts.PYTORCH);
    engine.setRandomSeed(config.seed());
    try (Model model = Model.newInstance(spec.name(), Device.cpu(), TeacherArtifacts.PYTORCH)) {
      model.setBlock(spec.newBlock());
      List<TrainingReport.EpochStats> epochs = new ArrayList<>();
      List<Float> losses = new ArrayList<>();
      double trainSeconds = 0;
      int trainedSamples = 0;
      try (Trainer trainer = model.newTrainer(trainingConfig(split.train().size()))) {
        trainer.initialize(spec.inputShape(config.batchSize()));
        log.printf(
            Locale.ROOT,
            "training %s on %s %s: %d epochs, batch %d, Adam %s→%s, ±%d px shifts, seed %d%n",
            spec.name(),
            engine.getEngineName(),
            engine.getVersion(),
            config.epochs(),
            config.batchSize(),
            Float.toString(config.learningRate()),
            Float.toString(config.finalLearningRate()),
            config.shiftPixels(),
            config.seed());
        Random random = new Random(config.seed());
        ModelRunner runner = new ModelRunner(model, spec.sampleShape());
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
          TrainingReport.EpochStats stats =
              runEpoch(trainer, split.train(), epoch, random, losses, runner, split.validation());
          epochs.add(stats);
          // Training time and throughput count the steps only, not the validation passes.
          trainSeconds += stats.seconds();
          trainedSamples += stats.samples();
        }
      }

      ModelRunner runner = new ModelRunner(model, spec.sampleShape());
      int testErrors = runner.errors(test, EVAL_BATCH);
      double samplesPerSecond = trainedSamples / Math.max(trainSeconds, 1e-9);
      log.printf(
          Locale.ROOT,
          "test: %d errors of %d, accuracy %.4f; training %.1f s, %.0f samples/s%n",
          testErrors,
          test.size(),
          1.0 - (double) testErrors / test.size(),
          trainSeconds,
          samplesPerSecond);

      TeacherCardFile card =
          save(model, spec, split, test.size(), testErrors, epochs, trainSeconds, samplesPerSecond);
      float[] batchLosses = new float[losses.size()];
      for (int i = 0; i < batchLosses.length; i++) {
        batchLosses[i] = losses.get(i);
      }
      log.printf(Locale.ROOT, "wrote %s%n", config.outputDir().toAbsolutePath());
      return new TrainingReport(
          epochs,
          batchLosses,
          testErrors,
          test.size(),
          trainSeconds,
          samplesPerSecond,
          config.outputDir(),
          card);
    }
  }

  private int batchesPerEpoch(int trainSize) {
    int batchesPerEpoch = (trainSize + config.batchSize() - 1) / config.batchSize();
    if (config.maxBatches() > 0) {
      batchesPerEpoch = Math.min(batchesPerEpoch, config.maxBatches());
    }
    return batchesPerEpoch;
  }

  private DefaultTrainingConfig trainingConfig(int trainSize) {
    int batchesPerEpoch = batchesPerEpoch(trainSize);
    int totalSteps = Math.max(1, batchesPerEpoch * config.epochs());
    Tracker learningRate =
        config.finalLearningRate() == config.learningRate()
            ? Tracker.fixed(config.learningRate())
            : Tracker.cosine()
                .setBaseValue(config.learningRate())
                .optFinalValue(config.finalLearningRate())
                .setMaxUpdates(totalSteps)
                .build();
    return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(learningRate).build())
        .optDevices(new Device[] {Device.cpu()});
  }

  private TrainingReport.EpochStats runEpoch(
      Trainer trainer,
      LabeledImages train,
      int epoch,
      Random random,
      List<Float> losses,
      ModelRunner runner,
      LabeledImages validation) {
    NetworkSpec spec = config.network();
    ShiftAugmentation shifts = new ShiftAugmentation(config.shiftPixels());
    int n = train.size();
    int per = train.sampleSize();
    int[] order = shuffled(n, random);
    int plannedBatches = batchesPerEpoch(n);
    listener.epochStarted(
        epoch, config.epochs(), plannedBatches, Math.min(n, plannedBatches * config.batchSize()));
    int batches = 0;
    int samples = 0;
    int correct = 0;
    double lossSum = 0;
    long start = System.nanoTime();
    long lastReport = start;
    for (int offset = 0; offset < n; offset += config.batchSize()) {
      if (config.maxBatches() > 0 && batches >= config.maxBatches()) {
        break;
      }
      int count = Math.min(config.batchSize(), n - offset);
      float[] x = new float[count * per];
      long[] y = new long[count];
      for (int i = 0; i < count; i++) {
        int src = order[offset + i];
        System.arraycopy(train.images(), src * per, x, i * per, per);
        y[i] = train.labels()[src];
      }
      shifts.apply(x, count, train.channels(), train.rows(), train.cols(), random);

      // One manager per batch: every intermediate of the step is freed when it closes.
      try (NDManager batchManager = trainer.getManager().newSubManager()) {
        NDArray input = batchManager.create(x, spec.inputShape(count));
        NDArray labels = batchManager.create(y);
        NDArray logits;
        float loss;
        try (GradientCollector collector = trainer.newGradientCollector()) {
          logits = trainer.forward(new NDList(input)).singletonOrThrow();
          NDArray lossArray = trainer.getLoss().evaluate(new NDList(labels), new NDList(logits));
          collector.backward(lossArray);
          loss = lossArray.getFloat();
        }
        trainer.step();
        correct += (int) logits.argMax(1).eq(labels).sum().getLong();
        losses.add(loss);
        lossSum += loss;
      }
      batches++;
      samples += count;
      listener.batchTrained(epoch, batches, samples, losses.get(losses.size() - 1));

      long now = System.nanoTime();
      if (listener == Listener.NONE && now - lastReport > PROGRESS_NANOS) {
        lastReport = now;
        log.printf(
            Locale.ROOT,
            "  epoch %d: %d/%d images, loss %.4f, %.0f samples/s%n",
            epoch,
            samples,
            n,
            lossSum / batches,
            samples / seconds(now - start));
      }
    }
    double elapsed = seconds(System.nanoTime() - start);
    int validationErrors = validation.size() == 0 ? -1 : runner.errors(validation, EVAL_BATCH);
    TrainingReport.EpochStats stats =
        new TrainingReport.EpochStats(
            epoch,
            batches,
            samples,
            batches == 0 ? Double.NaN : lossSum / batches,
            samples == 0 ? Double.NaN : (double) correct / samples,
            validationErrors,
            validation.size(),
            elapsed,
            samples / Math.max(elapsed, 1e-9));
    listener.epochFinished(stats);
    log.printf(
        Locale.ROOT,
        "epoch %d/%d: loss %.4f, train acc %.4f, validation acc %s, %.1f s, %.0f samples/s%n",
        epoch,
        config.epochs(),
        stats.meanLoss(),
        stats.trainAccuracy(),
        validation.size() == 0
            ? "n/a"
            : String.format(
                Locale.ROOT,
                "%.4f (%d errors)",
                stats.validationAccuracy(),
                stats.validationErrors()),
        stats.seconds(),
        stats.samplesPerSecond());
    return stats;
  }

  private TeacherCardFile save(
      Model model,
      NetworkSpec spec,
      ValidationSplit split,
      int testSamples,
      int testErrors,
      List<TrainingReport.EpochStats> epochs,
      double trainSeconds,
      double samplesPerSecond)
      throws IOException {
    Path dir = config.outputDir();
    Files.createDirectories(dir);
    deleteStaleParams(dir);
    model.setProperty("Epoch", Integer.toString(config.epochs()));
    model.save(dir, TeacherArtifacts.PARAMS_PREFIX);
    String paramsName =
        String.format(
            Locale.ROOT, "%s-%04d.params", TeacherArtifacts.PARAMS_PREFIX, config.epochs());
    Path params = dir.resolve(paramsName);
    Path onnx = dir.resolve(TeacherArtifacts.ONNX_FILE);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("distillery.model_id", config.modelId());
    metadata.put("distillery.version", config.version());
    metadata.put("distillery.license_spdx", config.licenseSpdx());
    OnnxExporter.export(spec, model.getBlock(), OnnxExporter.Output.LOGITS, metadata, onnx);

    TrainingReport.EpochStats last = epochs.get(epochs.size() - 1);
    TeacherCardFile.Training training =
        new TeacherCardFile.Training(
            TeacherArtifacts.PYTORCH,
            config.epochs(),
            config.batchSize(),
            config.maxBatches(),
            config.finalLearningRate() == config.learningRate()
                ? "adam, constant learning rate, softmax cross-entropy"
                : "adam, cosine learning-rate decay, softmax cross-entropy",
            exact(config.learningRate()),
            exact(config.finalLearningRate()),
            config.seed(),
            config.shiftPixels(),
            split.train().size(),
            split.validation().size(),
            config.splitSeed(),
            split.validation().size() == 0 ? null : last.validationAccuracy(),
            testSamples,
            testErrors,
            1.0 - (double) testErrors / testSamples,
            last.meanLoss(),
            trainSeconds,
            samplesPerSecond);
    Map<String, TeacherCardFile.FileEntry> files = new LinkedHashMap<>();
    files.put(
        TeacherCardFile.FILE_ONNX,
        new TeacherCardFile.FileEntry(
            onnx.getFileName().toString(),
            Sha256.file(onnx),
            Files.size(onnx),
            "onnx",
            OnnxExporter.OPSET));
    files.put(
        TeacherCardFile.FILE_PARAMS,
        new TeacherCardFile.FileEntry(
            paramsName, Sha256.file(params), Files.size(params), "djl-params", null));
    TeacherCardFile card =
        new TeacherCardFile(
            config.modelId(),
            config.version(),
            TeacherCardFile.TASK_CLASSIFICATION,
            spec.name(),
            OnnxExporter.INPUT,
            java.util.Arrays.stream(spec.sampleShape()).boxed().toList(),
            OnnxExporter.LOGITS,
            TeacherCardFile.OUTPUT_LOGITS,
            spec.outputSize(),
            config.licenseSpdx(),
            TeacherCardFile.DISTILLATION_ALLOWED,
            FashionMnist.CLASS_NAMES,
            "fashion-mnist",
            training,
            files,
            Instant.now().toString());
    card.write(dir);
    return card;
  }

  private static void deleteStaleParams(Path dir) throws IOException {
    try (DirectoryStream<Path> stale =
        Files.newDirectoryStream(
            dir, TeacherArtifacts.PARAMS_PREFIX + "-[0-9][0-9][0-9][0-9].params")) {
      for (Path file : stale) {
        Files.delete(file);
      }
    }
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The decimal a reader expects (0.001), not the float's binary expansion (0.0010000000474). */
  private static double exact(float value) {
    return Double.parseDouble(Float.toString(value));
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
