package io.distillery.models.teacher;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Checks that the two forms in a teacher model directory agree: loads the DJL parameters on PyTorch
 * and {@code model.onnx} on ONNX Runtime, compares their log-probabilities on real images and times
 * a forward pass of each at one batch size.
 */
public final class TeacherVerifier {

  /**
   * Result of a verification.
   *
   * @param images images compared
   * @param maxAbsLogProbDiff largest |log p_onnx − log p_pytorch| over all images and classes
   * @param pytorchErrors misclassified images by PyTorch
   * @param onnxErrors misclassified images by ONNX Runtime
   * @param argMaxDisagreements images on which the two predict different classes
   * @param benchmarkBatch batch size of the timing
   * @param pytorchMillisPerBatch mean PyTorch forward time per batch
   * @param onnxMillisPerBatch mean ONNX Runtime forward time per batch
   */
  public record Report(
      int images,
      double maxAbsLogProbDiff,
      int pytorchErrors,
      int onnxErrors,
      int argMaxDisagreements,
      int benchmarkBatch,
      double pytorchMillisPerBatch,
      double onnxMillisPerBatch) {}

  private TeacherVerifier() {}

  /**
   * Verifies a model directory.
   *
   * @param dir the model directory
   * @param images labelled images to compare on (e.g. the test set or part of it)
   * @param benchmarkBatch batch size to time, e.g. 64
   * @param benchmarkIterations timed forward passes per engine (after as many warm-up passes); 0
   *     skips the timing
   * @return the comparison
   * @throws IOException if a file is missing
   * @throws MalformedModelException if an engine rejects its file
   */
  public static Report verify(
      Path dir, LabeledImages images, int benchmarkBatch, int benchmarkIterations)
      throws IOException, MalformedModelException {
    TeacherCardFile card = TeacherCardFile.read(dir);
    NetworkSpec spec = Networks.byName(card.network());
    // One intra-op thread, like PyTorch under -Dai.djl.pytorch.num_threads=1: a fair comparison.
    try (Model pytorch = TeacherArtifacts.loadPyTorch(dir);
        Model onnx = TeacherArtifacts.loadOnnx(dir, Map.of("intraOpNumThreads", "1"))) {
      ModelRunner pt = new ModelRunner(pytorch, spec.sampleShape());
      ModelRunner ort = new ModelRunner(onnx, spec.sampleShape());
      int classes = card.outputSize();
      float[] ptLogProbs = LogSoftmax.apply(pt.logits(images, 64), classes, 1f);
      float[] ortLogProbs = LogSoftmax.apply(ort.logits(images, 64), classes, 1f);
      double maxDiff = 0;
      for (int i = 0; i < ptLogProbs.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ptLogProbs[i] - ortLogProbs[i]));
      }
      int[] ptPred = LogSoftmax.argMax(ptLogProbs, classes);
      int[] ortPred = LogSoftmax.argMax(ortLogProbs, classes);
      int ptErrors = 0;
      int ortErrors = 0;
      int disagreements = 0;
      for (int i = 0; i < ptPred.length; i++) {
        ptErrors += ptPred[i] == images.labels()[i] ? 0 : 1;
        ortErrors += ortPred[i] == images.labels()[i] ? 0 : 1;
        disagreements += ptPred[i] == ortPred[i] ? 0 : 1;
      }
      double ptMillis = Double.NaN;
      double ortMillis = Double.NaN;
      if (benchmarkIterations > 0) {
        LabeledImages batch = images.head(benchmarkBatch);
        ptMillis = millisPerForward(pt, batch, benchmarkIterations);
        ortMillis = millisPerForward(ort, batch, benchmarkIterations);
      }
      return new Report(
          images.size(),
          maxDiff,
          ptErrors,
          ortErrors,
          disagreements,
          benchmarkBatch,
          ptMillis,
          ortMillis);
    }
  }

  private static double millisPerForward(ModelRunner runner, LabeledImages batch, int iterations) {
    float[] inputs = batch.images();
    for (int i = 0; i < iterations; i++) {
      runner.forward(inputs, batch.size());
    }
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      runner.forward(inputs, batch.size());
    }
    return (System.nanoTime() - start) / 1e6 / iterations;
  }

  /**
   * Prints a verification of a model directory on the Fashion-MNIST test set.
   *
   * @param out where to print
   * @param dir the model directory
   * @param dataDir the Fashion-MNIST directory
   * @return the report
   * @throws IOException if a file is missing
   * @throws MalformedModelException if an engine rejects its file
   */
  public static Report printVerification(PrintStream out, Path dir, Path dataDir)
      throws IOException, MalformedModelException {
    Report r = verify(dir, FashionMnist.test(dataDir), 64, 50);
    out.printf(
        Locale.ROOT,
        "verify %s on %d test images: max |Δ log p| %.2e, errors PyTorch %d / ONNX Runtime %d,"
            + " %d arg-max disagreements; forward at batch %d: PyTorch %.2f ms, ONNX Runtime %.2f"
            + " ms (1 thread each)%n",
        dir,
        r.images(),
        r.maxAbsLogProbDiff(),
        r.pytorchErrors(),
        r.onnxErrors(),
        r.argMaxDisagreements(),
        r.benchmarkBatch(),
        r.pytorchMillisPerBatch(),
        r.onnxMillisPerBatch());
    return r;
  }

  /**
   * Verifies a model directory from the command line: {@code TeacherVerifier <model-dir>
   * [<fashion-mnist-dir>]}.
   *
   * @param args model directory, optionally the data directory
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: TeacherVerifier <model-dir> [<fashion-mnist-dir>]");
      System.exit(2);
    }
    TeacherTrainer.applyRuntimeDefaults();
    printVerification(
        System.out, Path.of(args[0]), FashionMnistLocator.locate(args.length > 1 ? args[1] : null));
  }
}
