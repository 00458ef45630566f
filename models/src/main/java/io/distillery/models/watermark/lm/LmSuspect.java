package io.distillery.models.watermark.lm;

import java.util.List;

/**
 * A language model under suspicion, seen as a black box: token windows in, next-token probabilities
 * at every position out. A Distillery LM checkpoint, an ONNX decoder, or a Label API serving an LM
 * all look like this.
 */
@FunctionalInterface
public interface LmSuspect {

  /**
   * The suspect's next-token probabilities.
   *
   * @param windows token windows
   * @return per window, row-major (length, vocab) probabilities (a top-k answer leaves the other
   *     tokens at 0)
   * @throws Exception when the suspect cannot answer (I/O, RPC failure)
   */
  List<float[]> probabilities(List<int[]> windows) throws Exception;
}
