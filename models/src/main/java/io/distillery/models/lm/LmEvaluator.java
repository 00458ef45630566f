package io.distillery.models.lm;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out cross-entropy of a causal LM on the PyTorch engine, as bits per byte: the sum of −log₂
 * p(token | preceding tokens) over a document's tokens divided by its UTF-8 bytes, which compares
 * across tokenizers. A document is scored as {@code [end-of-text] tokens...}: every token is
 * predicted, the first from the end-of-text token alone. Documents longer than the context are
 * scored in windows of the context length that advance by {@code stride}, each scoring only tokens
 * not yet scored, so every token after the first window sees at least {@code context − stride}
 * tokens before it.
 */
public final class LmEvaluator {

  /**
   * The outcome.
   *
   * @param tokens tokens scored
   * @param bytes UTF-8 bytes of the scored text
   * @param nats sum of −ln p over the tokens
   * @param context window length
   * @param stride window advance
   */
  public record Result(long tokens, long bytes, double nats, int context, int stride) {
    /** Bits per UTF-8 byte. */
    public double bitsPerByte() {
      return nats / Math.log(2) / bytes;
    }

    /** Mean nats per token. */
    public double natsPerToken() {
      return nats / tokens;
    }

    /** Bytes per token: how much text a token carries. */
    public double bytesPerToken() {
      return (double) bytes / tokens;
    }

    /** Sums two results of the same settings. */
    public Result plus(Result other) {
      return new Result(
          tokens + other.tokens, bytes + other.bytes, nats + other.nats, context, stride);
    }
  }

  private LmEvaluator() {}

  /**
   * Scores one document.
   *
   * @param model a PyTorch model whose block is an initialised {@link CausalLm}
   * @param endOfText id prepended to the document
   * @param tokens the document's tokens
   * @param bytes the document's UTF-8 size
   * @param stride window advance, in (0, context]
   * @param batchSize windows per forward pass
   * @return the result
   */
  public static Result evaluate(
      Model model, int endOfText, long[] tokens, long bytes, int stride, int batchSize) {
    CausalLm lm = (CausalLm) model.getBlock();
    int context = lm.spec().contextLength();
    if (stride < 1 || stride > context) {
      throw new IllegalArgumentException("stride must be in [1, " + context + "], got " + stride);
    }
    long[] sequence = new long[tokens.length + 1];
    sequence[0] = endOfText;
    System.arraycopy(tokens, 0, sequence, 1, tokens.length);
    int n = sequence.length;
    // Windows (start, first position scored, end): inputs sequence[start, end - 1), at most the
    // context, predicting sequence[start + 1, end).
    List<int[]> windows = new ArrayList<>();
    int scored = 1;
    for (int start = 0; scored < n; start += stride) {
      int end = Math.min(start + context + 1, n);
      if (end > scored) {
        windows.add(new int[] {start, scored, end});
        scored = end;
      }
    }
    double nats = 0;
    long count = 0;
    for (int w = 0; w < windows.size(); w += batchSize) {
      List<int[]> batch = windows.subList(w, Math.min(windows.size(), w + batchSize));
      int length = batch.stream().mapToInt(x -> x[2] - x[0] - 1).max().orElse(1);
      length = Math.max(1, length);
      int rows = batch.size();
      long[] ids = new long[rows * length];
      long[] mask = new long[rows * length];
      long[] targets = new long[rows * length];
      float[] weights = new float[rows * length];
      for (int r = 0; r < rows; r++) {
        int start = batch.get(r)[0];
        int from = batch.get(r)[1];
        int end = batch.get(r)[2];
        // Inputs sequence[start, end-1); the logits at input position j predict
        // sequence[start+j+1].
        for (int j = 0; j < end - start - 1; j++) {
          ids[r * length + j] = sequence[start + j];
          mask[r * length + j] = 1;
          targets[r * length + j] = sequence[start + j + 1];
          weights[r * length + j] = start + j + 1 >= from ? 1f : 0f;
        }
      }
      try (NDManager manager = model.getNDManager().newSubManager()) {
        Shape shape = new Shape(rows, length);
        NDList out =
            lm.forward(
                new ParameterStore(manager, false),
                new NDList(manager.create(ids, shape), manager.create(mask, shape)),
                false);
        NDArray logProbs =
            out.singletonOrThrow()
                .logSoftmax(-1)
                .gather(manager.create(targets, shape).expandDims(-1), -1)
                .squeeze(-1)
                .toType(DataType.FLOAT64, false);
        double[] values = logProbs.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
          if (weights[i] > 0) {
            nats -= values[i];
            count++;
          }
        }
      }
    }
    if (count != tokens.length) {
      throw new IllegalStateException("scored " + count + " tokens of " + tokens.length);
    }
    return new Result(count, bytes, nats, context, stride);
  }
}
