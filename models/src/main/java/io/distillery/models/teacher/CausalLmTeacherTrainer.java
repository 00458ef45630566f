package io.distillery.models.teacher;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import io.distillery.models.digest.Sha256;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.CausalLmLoss;
import io.distillery.models.lm.LmAgreement;
import io.distillery.models.lm.LmEvaluator;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.lm.LmSchedule;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.onnx.CausalLmExporter;
import io.distillery.models.runtime.OwnedArrays;
import io.distillery.models.text.Document;
import io.distillery.models.text.TextCorpus;
import io.distillery.models.tokenizer.BpeTokenizer;
import io.distillery.models.tokenizer.BpeTrainer;
import io.distillery.models.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Trains a causal-LM teacher: a byte-level BPE tokenizer on the training corpus, then a {@link
 * CausalLm} on random windows of the token stream (documents separated by the end-of-text token)
 * with Adam, warm-up and cosine decay, for a step or time budget; then scores the held-out corpus
 * in bits per byte and writes a model directory: {@code tokenizer.json}, the DJL parameters, {@code
 * model.onnx} (an Optimum-style decoder) and a {@link TeacherCardFile} with task {@value
 * TeacherCardFile#TASK_CAUSAL_LM}.
 */
public final class CausalLmTeacherTrainer {
  private static final long PROGRESS_NANOS = 30_000_000_000L;
  private static final int EVAL_BATCH = 16;

  private final CausalLmTeacherConfig config;
  private final PrintStream log;
  private final Listener listener;

  /** Follows a run step by step, e.g. to draw a progress bar; it only observes. */
  public interface Listener {
    /** A listener that does nothing. */
    Listener NONE = new Listener() {};

    /**
     * The update loop starts.
     *
     * @param maxSteps step budget, 0 for none
     * @param maxSeconds time budget, 0 for none
     */
    default void trainingStarted(int maxSteps, double maxSeconds) {}

    /**
     * One update was made.
     *
     * @param step updates so far
     * @param seconds training time so far
     * @param loss this update's loss (nats per token)
     * @param learningRate the rate it used
     * @param tokensPerSecond throughput so far
     */
    default void stepTrained(
        int step, double seconds, float loss, float learningRate, double tokensPerSecond) {}

    /** The update loop ended. */
    default void trainingFinished() {}
  }

  /**
   * What a run produced.
   *
   * @param outputDir the model directory
   * @param card the card written there
   * @param losses every update's loss
   * @param evaluation the held-out result
   */
  public record Report(
      Path outputDir, TeacherCardFile card, float[] losses, LmEvaluator.Result evaluation) {}

  /**
   * What a verification of a model directory found.
   *
   * @param agreement ONNX Runtime against PyTorch on padded held-out sequences
   * @param benchmarkBatch sequences per timed forward pass
   * @param benchmarkLength tokens per sequence of the timing
   * @param pytorchMillis mean PyTorch forward time
   * @param onnxMillis mean ONNX Runtime forward time
   */
  public record Verification(
      LmAgreement agreement,
      int benchmarkBatch,
      int benchmarkLength,
      double pytorchMillis,
      double onnxMillis) {}

  /**
   * Creates a trainer.
   *
   * @param config what to train and where to write it
   * @param log where progress lines go
   * @param listener follows the update loop; with one other than {@link Listener#NONE} the periodic
   *     progress lines are left to it
   */
  public CausalLmTeacherTrainer(CausalLmTeacherConfig config, PrintStream log, Listener listener) {
    this.config = config;
    this.log = log;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Runs everything and writes the model directory.
   *
   * @param train the training corpus (tokenizer and network)
   * @param heldOut the corpus scored in the card
   * @param dataset the data set's name for the card, e.g. {@code janeausten}
   * @return the report
   * @throws IOException if the directory cannot be written
   * @throws MalformedModelException if DJL cannot save the model
   */
  public Report train(TextCorpus train, TextCorpus heldOut, String dataset)
      throws IOException, MalformedModelException {
    if (train.documents().isEmpty() || heldOut.documents().isEmpty()) {
      throw new IllegalArgumentException(
          "need training and held-out text, got "
              + train.documents().size()
              + " and "
              + heldOut.documents().size()
              + " documents");
    }
    Path dir = config.outputDir();
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    List<String> texts = train.documents().stream().map(Document::text).toList();
    BpeTokenizer bpe = new BpeTrainer(config.vocabSize(), BpeTokenizer.END_OF_TEXT).train(texts);
    Path tokenizerFile = dir.resolve(TextTokenizer.FILE_NAME);
    bpe.write(tokenizerFile);
    log.printf(
        Locale.ROOT,
        "tokenizer: byte-level BPE, %d tokens learnt from %s (%d documents, %,d bytes) in %.1f s%n",
        bpe.vocabSize(),
        train.name(),
        train.documents().size(),
        train.utf8Bytes(),
        seconds(System.nanoTime() - t0));

    long t1 = System.nanoTime();
    int[] stream = tokenStream(bpe, texts);
    long trainTokens = stream.length - train.documents().size() - 1L;
    List<long[]> heldOutTokens = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile)) {
      // The held-out text goes through the runtime path (Hugging Face tokenizers); it must agree
      // with the trainer's own encoder, which encoded the training stream.
      for (Document d : heldOut.documents()) {
        long[] ids = tokenizer.encode(d.text());
        long[] own = Arrays.stream(bpe.encode(d.text())).asLongStream().toArray();
        if (!Arrays.equals(ids, own)) {
          throw new IllegalStateException(
              "tokenizers library and BpeTokenizer disagree on held-out document " + d.id());
        }
        heldOutTokens.add(ids);
      }
    }
    long heldOutCount = heldOutTokens.stream().mapToLong(a -> a.length).sum();
    log.printf(
        Locale.ROOT,
        "tokens: %,d training (%.2f bytes/token), %,d held out in %s (%.2f bytes/token), %.1f s%n",
        trainTokens,
        (double) train.utf8Bytes() / trainTokens,
        heldOutCount,
        heldOut.name(),
        (double) heldOut.utf8Bytes() / heldOutCount,
        seconds(System.nanoTime() - t1));

    LmSpec spec =
        LmSpec.of(
            bpe.vocabSize(),
            config.contextLength(),
            config.layers(),
            config.width(),
            config.heads(),
            config.mlpWidth());
    Engine engine = Engine.getEngine(TeacherArtifacts.PYTORCH);
    engine.setRandomSeed(config.seed());
    try (Model model =
        Model.newInstance(config.modelId(), Device.cpu(), TeacherArtifacts.PYTORCH)) {
      model.setBlock(new CausalLm(spec));
      Loop loop = trainLoop(model, spec, stream, engine);

      long t2 = System.nanoTime();
      model.getBlock().freezeParameters(true);
      LmEvaluator.Result evaluation = null;
      for (int i = 0; i < heldOutTokens.size(); i++) {
        LmEvaluator.Result r =
            LmEvaluator.evaluate(
                model,
                bpe.endOfTextId(),
                heldOutTokens.get(i),
                heldOut.documents().get(i).utf8Bytes(),
                config.evalStride(),
                EVAL_BATCH);
        evaluation = evaluation == null ? r : evaluation.plus(r);
      }
      log.printf(
          Locale.ROOT,
          "held out %s: %.4f bits/byte (%.4f nats/token, %,d tokens, %,d bytes; context %d,"
              + " stride %d), %.1f s%n",
          heldOut.name(),
          evaluation.bitsPerByte(),
          evaluation.natsPerToken(),
          evaluation.tokens(),
          evaluation.bytes(),
          evaluation.context(),
          evaluation.stride(),
          seconds(System.nanoTime() - t2));

      TeacherCardFile card =
          save(
              model,
              spec,
              bpe,
              tokenizerFile,
              train,
              trainTokens,
              heldOut,
              dataset,
              loop,
              evaluation);
      log.printf(Locale.ROOT, "wrote %s%n", dir.toAbsolutePath());
      return new Report(dir, card, loop.losses(), evaluation);
    }
  }

  /** [eot] doc1 [eot] doc2 ... [eot]: documents separated (and framed) by the end-of-text id. */
  private static int[] tokenStream(BpeTokenizer bpe, List<String> texts) {
    List<int[]> parts = new ArrayList<>();
    int total = 1;
    for (String text : texts) {
      int[] ids = bpe.encode(text);
      parts.add(ids);
      total += ids.length + 1;
    }
    int[] stream = new int[total];
    int at = 0;
    stream[at++] = bpe.endOfTextId();
    for (int[] ids : parts) {
      System.arraycopy(ids, 0, stream, at, ids.length);
      at += ids.length;
      stream[at++] = bpe.endOfTextId();
    }
    return stream;
  }

  private record Loop(int steps, double seconds, float[] losses, int threads) {
    double tokensPerSecond(int tokensPerStep) {
      return steps * (double) tokensPerStep / Math.max(seconds, 1e-9);
    }

    double finalLoss() {
      int n = Math.min(100, losses.length);
      double sum = 0;
      for (int i = losses.length - n; i < losses.length; i++) {
        sum += losses[i];
      }
      return n == 0 ? Double.NaN : sum / n;
    }
  }

  private Loop trainLoop(Model model, LmSpec spec, int[] stream, Engine engine) {
    int batch = config.batchSize();
    int length = config.contextLength();
    if (stream.length < length + 2) {
      throw new IllegalArgumentException(
          "training corpus has " + stream.length + " tokens, fewer than one sequence of " + length);
    }
    LmSchedule schedule =
        new LmSchedule(config.learningRate(), config.finalLearningRate(), warmupSteps());
    DefaultTrainingConfig trainingConfig =
        new DefaultTrainingConfig(new CausalLmLoss())
            .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule).build())
            .optDevices(new Device[] {Device.cpu()});
    int threads = Integer.getInteger("ai.djl.pytorch.num_threads", 0);
    log.printf(
        Locale.ROOT,
        "training %s (%,d parameters) on %s %s, %s thread(s): batch %d × %d tokens, Adam %s→%s"
            + " (%d warm-up steps, cosine), seed %d, budget %s%n",
        spec.name(),
        spec.parameterCount(),
        engine.getEngineName(),
        engine.getVersion(),
        threads == 0 ? "default" : Integer.toString(threads),
        batch,
        length,
        Float.toString(config.learningRate()),
        Float.toString(config.finalLearningRate()),
        warmupSteps(),
        config.seed(),
        budget());
    List<Float> losses = new ArrayList<>();
    Random random = new Random(config.seed());
    listener.trainingStarted(config.maxSteps(), config.maxSeconds());
    long start = System.nanoTime();
    long lastReport = start;
    int step = 0;
    double lossSum = 0;
    int lossCount = 0;
    try (Trainer trainer = model.newTrainer(trainingConfig)) {
      trainer.initialize(CausalLm.inputShapes(batch, length));
      while (true) {
        double elapsed = seconds(System.nanoTime() - start);
        if ((config.maxSteps() > 0 && step >= config.maxSteps())
            || (config.maxSeconds() > 0 && elapsed >= config.maxSeconds())) {
          break;
        }
        double progress =
            Math.max(
                config.maxSteps() > 0 ? (double) step / config.maxSteps() : 0,
                config.maxSeconds() > 0 ? elapsed / config.maxSeconds() : 0);
        schedule.set(step, progress);
        float learningRate = schedule.current();
        long[] x = new long[batch * length];
        long[] y = new long[batch * length];
        for (int b = 0; b < batch; b++) {
          int from = random.nextInt(stream.length - length);
          for (int t = 0; t < length; t++) {
            x[b * length + t] = stream[from + t];
            y[b * length + t] = stream[from + t + 1];
          }
        }
        float loss;
        // One manager per step: every intermediate is freed when it closes. The batch arrays are
        // native copies, since backward reads the ids (embedding) and the targets (gather).
        try (NDManager stepManager = trainer.getManager().newSubManager()) {
          Shape shape = new Shape(batch, length);
          NDArray ids = OwnedArrays.own(stepManager.create(x, shape), DataType.INT64);
          NDArray mask = stepManager.ones(shape, DataType.INT64);
          NDArray targets = OwnedArrays.own(stepManager.create(y, shape), DataType.INT64);
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDArray logits = trainer.forward(new NDList(ids, mask)).singletonOrThrow();
            NDArray lossArray = trainer.getLoss().evaluate(new NDList(targets), new NDList(logits));
            collector.backward(lossArray);
            loss = lossArray.getFloat();
          }
          trainer.step();
        }
        if (!Float.isFinite(loss)) {
          throw new IllegalStateException("training loss became " + loss + " at step " + step);
        }
        losses.add(loss);
        step++;
        lossSum += loss;
        lossCount++;
        long now = System.nanoTime();
        double tokensPerSecond = step * (double) batch * length / seconds(now - start);
        listener.stepTrained(step, seconds(now - start), loss, learningRate, tokensPerSecond);
        if (listener == Listener.NONE && now - lastReport > PROGRESS_NANOS) {
          lastReport = now;
          log.printf(
              Locale.ROOT,
              "  step %d, %.0f s: loss %.4f, lr %.2e, %.0f tokens/s%n",
              step,
              seconds(now - start),
              lossSum / lossCount,
              learningRate,
              tokensPerSecond);
          lossSum = 0;
          lossCount = 0;
        }
      }
    }
    listener.trainingFinished();
    double trainSeconds = seconds(System.nanoTime() - start);
    float[] lossArray = new float[losses.size()];
    for (int i = 0; i < lossArray.length; i++) {
      lossArray[i] = losses.get(i);
    }
    Loop loop = new Loop(step, trainSeconds, lossArray, threads);
    log.printf(
        Locale.ROOT,
        "trained %d steps in %.1f s: %.0f tokens/s, final loss %.4f nats/token%n",
        step,
        trainSeconds,
        loop.tokensPerSecond(batch * length),
        loop.finalLoss());
    return loop;
  }

  /** The warm-up, at most a tenth of a step budget (a short run would never reach the peak). */
  private int warmupSteps() {
    return config.maxSteps() > 0
        ? Math.min(config.warmupSteps(), config.maxSteps() / 10)
        : config.warmupSteps();
  }

  private String budget() {
    List<String> parts = new ArrayList<>();
    if (config.maxSteps() > 0) {
      parts.add(config.maxSteps() + " steps");
    }
    if (config.maxSeconds() > 0) {
      parts.add(
          config.maxSeconds() % 60 == 0
              ? String.format(Locale.ROOT, "%.0f min", config.maxSeconds() / 60)
              : String.format(Locale.ROOT, "%.0f s", config.maxSeconds()));
    }
    return String.join(" or ", parts);
  }

  private TeacherCardFile save(
      Model model,
      LmSpec spec,
      BpeTokenizer bpe,
      Path tokenizerFile,
      TextCorpus train,
      long trainTokens,
      TextCorpus heldOut,
      String dataset,
      Loop loop,
      LmEvaluator.Result evaluation)
      throws IOException {
    Path dir = config.outputDir();
    deleteStaleParams(dir);
    model.setProperty("Epoch", Integer.toString(loop.steps()));
    model.save(dir, TeacherArtifacts.PARAMS_PREFIX);
    String paramsName =
        String.format(Locale.ROOT, "%s-%04d.params", TeacherArtifacts.PARAMS_PREFIX, loop.steps());
    Path params = dir.resolve(paramsName);
    String tokenizerSha = Sha256.file(tokenizerFile);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("distillery.model_id", config.modelId());
    metadata.put("distillery.version", config.version());
    metadata.put("distillery.license_spdx", config.licenseSpdx());
    metadata.put("distillery.task", TeacherCardFile.TASK_CAUSAL_LM);
    metadata.put("distillery.tokenizer_sha256", tokenizerSha);
    Path onnx = dir.resolve(TeacherArtifacts.ONNX_FILE);
    CausalLmExporter.export((CausalLm) model.getBlock(), metadata, onnx);

    int tokensPerStep = config.batchSize() * config.contextLength();
    long tokensSeen = (long) loop.steps() * tokensPerStep;
    TeacherCardFile.LmTraining training =
        new TeacherCardFile.LmTraining(
            TeacherArtifacts.PYTORCH,
            loop.threads(),
            loop.steps(),
            config.batchSize(),
            config.contextLength(),
            tokensSeen,
            round((double) tokensSeen / trainTokens, 3),
            "adam, linear warm-up then cosine decay, next-token cross-entropy",
            exact(config.learningRate()),
            exact(config.finalLearningRate()),
            warmupSteps(),
            config.seed(),
            budget(),
            train.documents().size(),
            train.utf8Bytes(),
            trainTokens,
            round(loop.finalLoss(), 4),
            round(loop.seconds(), 1),
            round(loop.tokensPerSecond(tokensPerStep), 0));
    TeacherCardFile.LmEvaluation eval =
        new TeacherCardFile.LmEvaluation(
            heldOut.name(),
            heldOut.documents().size(),
            evaluation.bytes(),
            evaluation.tokens(),
            round(evaluation.bytesPerToken(), 4),
            round(evaluation.bitsPerByte(), 4),
            round(evaluation.natsPerToken(), 4),
            evaluation.context(),
            evaluation.stride());
    TeacherCardFile.Tokenizer tokenizer =
        new TeacherCardFile.Tokenizer(
            tokenizerFile.getFileName().toString(),
            tokenizerSha,
            "byte-level-bpe",
            bpe.vocabSize(),
            bpe.endOfText(),
            bpe.endOfTextId(),
            train.name());
    TeacherCardFile.LanguageModel languageModel =
        new TeacherCardFile.LanguageModel(
            spec,
            spec.vocabSize(),
            spec.contextLength(),
            List.of(CausalLmExporter.INPUT_IDS, CausalLmExporter.ATTENTION_MASK),
            CausalLmExporter.LOGITS,
            spec.parameterCount(),
            tokenizer,
            training,
            eval);
    Map<String, TeacherCardFile.FileEntry> files = new LinkedHashMap<>();
    files.put(
        TeacherCardFile.FILE_ONNX,
        new TeacherCardFile.FileEntry(
            onnx.getFileName().toString(),
            Sha256.file(onnx),
            Files.size(onnx),
            "onnx",
            CausalLmExporter.OPSET));
    files.put(
        TeacherCardFile.FILE_PARAMS,
        new TeacherCardFile.FileEntry(
            paramsName, Sha256.file(params), Files.size(params), "djl-params", null));
    files.put(
        TeacherCardFile.FILE_TOKENIZER,
        new TeacherCardFile.FileEntry(
            tokenizer.file(), tokenizerSha, Files.size(tokenizerFile), "hf-tokenizer-json", null));
    TeacherCardFile card =
        new TeacherCardFile(
            config.modelId(),
            config.version(),
            TeacherCardFile.TASK_CAUSAL_LM,
            spec.name(),
            CausalLmExporter.INPUT_IDS,
            null,
            CausalLmExporter.LOGITS,
            TeacherCardFile.OUTPUT_LOGITS,
            spec.vocabSize(),
            config.licenseSpdx(),
            TeacherCardFile.DISTILLATION_ALLOWED,
            null,
            dataset,
            null,
            files,
            Instant.now().toString(),
            languageModel);
    card.write(dir);
    return card;
  }

  /**
   * Checks a causal-LM model directory: the checksums, then ONNX Runtime against PyTorch (both
   * loaded from the files) on held-out sequences of varied lengths in left- and right-padded
   * batches, and a forward timing of each.
   *
   * @param dir the model directory
   * @param heldOut text to take sequences from
   * @param sequences how many sequences to compare
   * @param benchmarkIterations timed forward passes per engine, 0 to skip the timing
   * @return what was found
   * @throws IOException if a file is missing or its checksum is wrong
   * @throws MalformedModelException if an engine rejects its file
   */
  public static Verification verify(
      Path dir, TextCorpus heldOut, int sequences, int benchmarkIterations)
      throws IOException, MalformedModelException {
    TeacherCardFile card = TeacherArtifacts.checkFiles(dir);
    int context = card.languageModel().maxSequenceLength();
    int vocab = card.languageModel().vocabSize();
    List<long[]> picked = new ArrayList<>();
    try (TextTokenizer tokenizer = TeacherArtifacts.loadTokenizer(dir)) {
      Random random = new Random(17);
      long[] tokens = new long[0];
      for (Document d : heldOut.documents()) {
        // Enough text for the sequences, not the whole corpus (the tokenizer is slow on megabytes).
        String text = d.text().substring(0, Math.min(d.text().length(), 8 * sequences * context));
        tokens = tokenizer.encode(text);
        if (tokens.length > context + 1) {
          break;
        }
      }
      if (tokens.length <= context + 1) {
        throw new IOException("held-out text too short to verify on: " + tokens.length + " tokens");
      }
      for (int i = 0; i < sequences; i++) {
        int length = 1 + random.nextInt(context);
        int from = random.nextInt(tokens.length - length);
        picked.add(Arrays.copyOfRange(tokens, from, from + length));
      }
    }
    try (Model pytorch = TeacherArtifacts.loadPyTorch(dir);
        Model onnx = TeacherArtifacts.loadOnnx(dir, Map.of("intraOpNumThreads", "1"))) {
      LmRunner pt = new LmRunner(pytorch);
      LmRunner ort = new LmRunner(onnx);
      LmAgreement agreement = LmAgreement.compare(pt, ort, picked, vocab, 8);
      int batch = 8;
      double ptMillis = Double.NaN;
      double ortMillis = Double.NaN;
      if (benchmarkIterations > 0) {
        long[][] ids = new long[batch][context];
        long[][] mask = new long[batch][context];
        for (long[] row : mask) {
          Arrays.fill(row, 1);
        }
        ptMillis = millisPerForward(pt, ids, mask, benchmarkIterations);
        ortMillis = millisPerForward(ort, ids, mask, benchmarkIterations);
      }
      return new Verification(agreement, batch, context, ptMillis, ortMillis);
    }
  }

  /** {@link #verify} with its findings printed as one line. */
  public static Verification printVerification(PrintStream out, Path dir, TextCorpus heldOut)
      throws IOException, MalformedModelException {
    Verification v = verify(dir, heldOut, 64, 10);
    out.printf(
        Locale.ROOT,
        "verify %s on %d held-out sequences (%,d positions, left and right padded): max |Δ log p|"
            + " %.2e between ONNX Runtime and PyTorch, %d arg-max disagreements; forward at batch"
            + " %d × %d tokens: PyTorch %.1f ms, ONNX Runtime %.1f ms%n",
        dir,
        v.agreement().sequences(),
        v.agreement().positions(),
        v.agreement().maxAbsLogProbDiff(),
        v.agreement().argMaxDisagreements(),
        v.benchmarkBatch(),
        v.benchmarkLength(),
        v.pytorchMillis(),
        v.onnxMillis());
    return v;
  }

  private static double millisPerForward(
      LmRunner runner, long[][] ids, long[][] mask, int iterations) {
    runner.logits(ids, mask);
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      runner.logits(ids, mask);
    }
    return (System.nanoTime() - start) / 1e6 / iterations;
  }

  private static void deleteStaleParams(Path dir) throws IOException {
    try (DirectoryStream<Path> stale =
        Files.newDirectoryStream(dir, TeacherArtifacts.PARAMS_PREFIX + "-[0-9]*.params")) {
      for (Path file : stale) {
        Files.delete(file);
      }
    }
  }

  private static double exact(float value) {
    return Double.parseDouble(Float.toString(value));
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
