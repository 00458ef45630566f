package io.distillery.teacher.task.classification;

import ai.djl.inference.Predictor;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.batching.BatchRunner;
import java.util.ArrayList;
import java.util.List;

/**
 * One batcher worker's forward pass: its own predictor, validated sample tensors in (each of the
 * model's input size), logits rows out.
 */
final class PredictorRunner implements BatchRunner<Tensor, float[]> {

  private final Predictor<FloatBatch, float[]> predictor;
  private final int sampleSize;
  private final int outputSize;

  PredictorRunner(Predictor<FloatBatch, float[]> predictor, int sampleSize, int outputSize) {
    this.predictor = predictor;
    this.sampleSize = sampleSize;
    this.outputSize = outputSize;
  }

  @Override
  public List<float[]> run(List<Tensor> samples) throws Exception {
    float[] values = new float[samples.size() * sampleSize];
    for (int i = 0; i < samples.size(); i++) {
      Tensor sample = samples.get(i);
      int offset = i * sampleSize;
      for (int v = 0; v < sampleSize; v++) {
        values[offset + v] = sample.getValues(v); // primitive accessor: no boxing
      }
    }
    float[] logits = predictor.predict(new FloatBatch(values, samples.size()));
    if (logits.length != samples.size() * outputSize) {
      throw new IllegalStateException(
          "model returned "
              + logits.length
              + " values for "
              + samples.size()
              + " samples; expected "
              + outputSize
              + " per sample");
    }
    List<float[]> rows = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      float[] row = new float[outputSize];
      System.arraycopy(logits, i * outputSize, row, 0, outputSize);
      rows.add(row);
    }
    return rows;
  }

  @Override
  public void close() {
    predictor.close();
  }
}
