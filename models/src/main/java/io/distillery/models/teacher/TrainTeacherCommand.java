package io.distillery.models.teacher;

import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.nn.Networks;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Command-line entry point of teacher training:
 *
 * <pre>
 * java -cp ... io.distillery.models.teacher.TrainTeacherCommand --out /tmp/distillery-teacher \
 *     [--data DIR] [--epochs 20] [--batch-size 128] [--lr 0.001] [--final-lr 0.00005] [--seed 1]
 *     [--shift 2] [--max-batches 0] [--validation 5000] [--split-seed 42] [--network fashion-cnn]
 *     [--id fashion-cnn] [--version 1.0.0] [--license Apache-2.0] [--threads 1] [--no-verify]
 * </pre>
 *
 * Run it with the environment variable {@code OMP_WAIT_POLICY=PASSIVE}: on shared cores PyTorch's
 * spinning OpenMP threads otherwise slow training many times over.
 */
public final class TrainTeacherCommand {
  private static final String USAGE =
      "usage: TrainTeacherCommand --out DIR [--data DIR] [--epochs N] [--batch-size N] [--lr F]"
          + " [--final-lr F] [--seed N] [--shift N] [--max-batches N] [--validation N]"
          + " [--split-seed N] [--network NAME] [--id ID] [--version V] [--license SPDX]"
          + " [--threads N] [--no-verify]";

  private TrainTeacherCommand() {}

  /**
   * Trains and, unless {@code --no-verify}, compares the ONNX export with PyTorch.
   *
   * @param args see the class documentation
   * @throws Exception on any failure (the exit code is then non-zero)
   */
  public static void main(String[] args) throws Exception {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    }
  }

  /**
   * Parses the arguments, trains and optionally verifies.
   *
   * @param args see the class documentation
   * @param out where progress goes
   * @return the training report
   * @throws Exception on any failure; {@link IllegalArgumentException} for bad arguments
   */
  public static TrainingReport run(String[] args, PrintStream out) throws Exception {
    Deque<String> queue = new ArrayDeque<>(List.of(args));
    String data = null;
    Path output = null;
    boolean verify = true;
    TeacherTrainingConfig d = TeacherTrainingConfig.defaults(Path.of("."), Path.of("."));
    int epochs = d.epochs();
    int batchSize = d.batchSize();
    float lr = d.learningRate();
    Float finalLr = null;
    int seed = d.seed();
    int shift = d.shiftPixels();
    int maxBatches = d.maxBatches();
    int validation = d.validationSize();
    long splitSeed = d.splitSeed();
    String network = d.network().name();
    String id = null;
    String version = d.version();
    String license = d.licenseSpdx();
    while (!queue.isEmpty()) {
      String flag = queue.poll();
      switch (flag) {
        case "--data" -> data = value(queue, flag);
        case "--out" -> output = Path.of(value(queue, flag));
        case "--epochs" -> epochs = intValue(queue, flag);
        case "--batch-size" -> batchSize = intValue(queue, flag);
        case "--lr" -> lr = floatValue(queue, flag);
        case "--final-lr" -> finalLr = floatValue(queue, flag);
        case "--seed" -> seed = intValue(queue, flag);
        case "--shift" -> shift = intValue(queue, flag);
        case "--max-batches" -> maxBatches = intValue(queue, flag);
        case "--validation" -> validation = intValue(queue, flag);
        case "--split-seed" -> splitSeed = intValue(queue, flag);
        case "--network" -> network = value(queue, flag);
        case "--id" -> id = value(queue, flag);
        case "--version" -> version = value(queue, flag);
        case "--license" -> license = value(queue, flag);
        case "--threads" -> System.setProperty("ai.djl.pytorch.num_threads", value(queue, flag));
        case "--no-verify" -> verify = false;
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (output == null) {
      throw new IllegalArgumentException("--out is required");
    }
    applyRuntimeDefaults();
    Path dataDir = FashionMnistLocator.locate(data);
    TeacherTrainingConfig config =
        new TeacherTrainingConfig(
            Networks.byName(network),
            dataDir,
            output,
            epochs,
            batchSize,
            lr,
            finalLr == null ? Math.min(lr, d.finalLearningRate()) : finalLr,
            seed,
            shift,
            maxBatches,
            validation,
            splitSeed,
            id == null ? network : id,
            version,
            license);
    TrainingReport report = new TeacherTrainer(config, out).train();
    if (verify) {
      TeacherVerifier.printVerification(out, output, dataDir);
    }
    return report;
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

  private static String value(Deque<String> queue, String flag) {
    String v = queue.poll();
    if (v == null || v.startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return v;
  }

  private static int intValue(Deque<String> queue, String flag) {
    String v = value(queue, flag);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'");
    }
  }

  private static float floatValue(Deque<String> queue, String flag) {
    String v = value(queue, flag);
    try {
      return Float.parseFloat(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'");
    }
  }
}
