package io.distillery.models.lm;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * Runs a causal-LM decoder in inference mode on plain arrays, whatever the engine: a PyTorch model
 * whose block is a {@link CausalLm}, or an ONNX Runtime model of a decoder with inputs {@value
 * #INPUT_IDS} and {@value #ATTENTION_MASK} (passed by name). Each call uses its own short-lived
 * manager.
 */
public final class LmRunner {
  /** Name of the token-id input of an ONNX decoder. */
  public static final String INPUT_IDS = "input_ids";

  /** Name of the attention-mask input of an ONNX decoder. */
  public static final String ATTENTION_MASK = "attention_mask";

  private final Model model;

  /**
   * Creates a runner.
   *
   * @param model a loaded model (PyTorch with a {@link CausalLm} block, or OnnxRuntime)
   */
  public LmRunner(Model model) {
    this.model = model;
  }

  /**
   * Computes the logits of a batch.
   *
   * @param ids token ids, all rows the same length (pad them)
   * @param mask 1 for a real token, 0 for padding, same shape
   * @return row-major (batch, seq, vocab) logits
   */
  public float[] logits(long[][] ids, long[][] mask) {
    int batch = ids.length;
    int length = batch == 0 ? 0 : ids[0].length;
    long[] flatIds = new long[batch * length];
    long[] flatMask = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      if (ids[b].length != length || mask[b].length != length) {
        throw new IllegalArgumentException("row " + b + " is not " + length + " tokens long");
      }
      System.arraycopy(ids[b], 0, flatIds, b * length, length);
      System.arraycopy(mask[b], 0, flatMask, b * length, length);
    }
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = manager.create(flatIds, new Shape(batch, length));
      x.setName(INPUT_IDS);
      NDArray m = manager.create(flatMask, new Shape(batch, length));
      m.setName(ATTENTION_MASK);
      NDList out =
          model.getBlock().forward(new ParameterStore(manager, false), new NDList(x, m), false);
      return out.get(0).toFloatArray();
    }
  }

  /** Natural-log probabilities of a batch: {@link #logits} through a log-softmax per position. */
  public float[] logProbs(long[][] ids, long[][] mask, int vocabSize) {
    float[] logits = logits(ids, mask);
    float[] out = new float[logits.length];
    for (int row = 0; row < logits.length / vocabSize; row++) {
      int base = row * vocabSize;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < vocabSize; c++) {
        max = Math.max(max, logits[base + c]);
      }
      double sum = 0;
      for (int c = 0; c < vocabSize; c++) {
        sum += Math.exp(logits[base + c] - max);
      }
      double logZ = max + Math.log(sum);
      for (int c = 0; c < vocabSize; c++) {
        out[base + c] = (float) (logits[base + c] - logZ);
      }
    }
    return out;
  }
}
