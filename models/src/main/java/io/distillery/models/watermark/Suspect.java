package io.distillery.models.watermark;

/**
 * A model under suspicion, seen as a black box: inputs in, class probabilities out. A checkpoint
 * run locally, an ONNX file, or a prediction API all look like this.
 */
@FunctionalInterface
public interface Suspect {

  /**
   * The suspect's class probabilities.
   *
   * @param inputs row-major (count, inputSize) flattened inputs
   * @param count inputs in the batch
   * @return row-major (count, classes) probabilities
   * @throws Exception when the suspect cannot answer (I/O, RPC failure)
   */
  float[] probabilities(float[] inputs, int count) throws Exception;
}
