package io.distillery.models.nn;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.distillery.models.data.LabeledImages;

/**
 * Runs a loaded DJL model (any engine: PyTorch with a block and parameters, or OnnxRuntime) on
 * plain float arrays in inference mode. Each call uses its own short-lived {@link NDManager}:
 * results attach to the manager of their input, so a long-lived one would grow without bound.
 *
 * <p>Concurrent calls are fine for models loaded by {@code TeacherArtifacts} (PyTorch parameters
 * frozen, so no thread records an autograd graph; ONNX Runtime sessions are thread-safe). Keep
 * batches moderate on CPU: with glibc's default malloc the teacher CNN scored 10,000 images in 2.6
 * s at batch 64 but 13 s at batch 500 (see {@link io.distillery.models.runtime.NativeMemory}).
 */
public final class ModelRunner {
  private final Model model;
  private final long[] sampleShape;
  private final int sampleSize;

  /**
   * Creates a runner.
   *
   * @param model a model whose block is loaded and initialised
   * @param sampleShape shape of one input sample, e.g. (1, 28, 28)
   */
  public ModelRunner(Model model, long[] sampleShape) {
    this.model = model;
    this.sampleShape = sampleShape.clone();
    int size = 1;
    for (long d : sampleShape) {
      size *= (int) d;
    }
    this.sampleSize = size;
  }

  /**
   * Computes the first output (the logits) for a batch.
   *
   * @param inputs row-major (count, sampleShape...) values
   * @param count samples in {@code inputs}
   * @return row-major (count, outputs) values
   */
  public float[] forward(float[] inputs, int count) {
    if (inputs.length != count * sampleSize) {
      throw new IllegalArgumentException(
          "inputs has " + inputs.length + " values, expected " + count + " × " + sampleSize);
    }
    long[] dims = new long[sampleShape.length + 1];
    dims[0] = count;
    System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = manager.create(inputs, new Shape(dims));
      NDList out =
          model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), false);
      return out.get(0).toFloatArray();
    }
  }

  /**
   * Computes the logits of every image in a set, batch by batch.
   *
   * @param data the images (labels are ignored)
   * @param batchSize images per forward pass
   * @return row-major (data.size(), outputs) logits
   */
  public float[] logits(LabeledImages data, int batchSize) {
    int n = data.size();
    int per = data.sampleSize();
    float[] result = null;
    int outputs = 0;
    for (int start = 0; start < n; start += batchSize) {
      int count = Math.min(batchSize, n - start);
      float[] batch = new float[count * per];
      System.arraycopy(data.images(), start * per, batch, 0, batch.length);
      float[] out = forward(batch, count);
      if (result == null) {
        outputs = out.length / count;
        result = new float[n * outputs];
      }
      System.arraycopy(out, 0, result, start * outputs, out.length);
    }
    return result == null ? new float[0] : result;
  }

  /**
   * Counts the images whose arg-max prediction differs from the label.
   *
   * @param data the images and labels
   * @param batchSize images per forward pass
   * @return the number of errors
   */
  public int errors(LabeledImages data, int batchSize) {
    float[] logits = logits(data, batchSize);
    if (data.size() == 0) {
      return 0;
    }
    int[] predicted = LogSoftmax.argMax(logits, logits.length / data.size());
    int errors = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] != data.labels()[i]) {
        errors++;
      }
    }
    return errors;
  }
}
