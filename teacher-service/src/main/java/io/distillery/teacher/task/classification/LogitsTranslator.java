package io.distillery.teacher.task.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds a {@link FloatBatch} to the model and copies its first output (logits, shape (N, C)) out.
 * The arrays live in the predictor context's manager, which DJL closes after each call, so native
 * memory is freed batch by batch.
 */
final class LogitsTranslator implements NoBatchifyTranslator<FloatBatch, float[]> {

  private final long[] sampleShape;

  LogitsTranslator(long[] sampleShape) {
    this.sampleShape = sampleShape.clone();
  }

  @Override
  public NDList processInput(TranslatorContext ctx, FloatBatch batch) {
    long[] dims = new long[sampleShape.length + 1];
    dims[0] = batch.count();
    System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
    NDArray input = ctx.getNDManager().create(batch.values(), new Shape(dims));
    return new NDList(input);
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList outputs) {
    return outputs.get(0).toFloatArray();
  }
}
