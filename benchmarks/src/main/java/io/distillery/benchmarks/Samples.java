package io.distillery.benchmarks;

import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic inputs of the sizes the services see: Fashion-MNIST images, top-k outputs. */
final class Samples {

  static final List<Long> IMAGE_SHAPE = List.of(1L, 28L, 28L);
  static final int IMAGE_SIZE = 28 * 28;

  private Samples() {}

  /** One 28×28 image as the wire carries it, pixel values in [0, 1). */
  static ModelInput image(SplittableRandom random) {
    Tensor.Builder tensor = Tensor.newBuilder().addAllShape(IMAGE_SHAPE);
    for (int i = 0; i < IMAGE_SIZE; i++) {
      tensor.addValues((float) random.nextDouble());
    }
    return ModelInput.newBuilder().setTensor(tensor).build();
  }

  /** {@code rows × size} logits, roughly what a trained model emits. */
  static float[] logits(SplittableRandom random, int rows, int size) {
    float[] logits = new float[rows * size];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (random.nextGaussian() * 4);
    }
    return logits;
  }

  /** One distribution per position: top-{@code k} of {@code size} logits at T = 1. */
  static List<SparseDistribution> distributions(
      SplittableRandom random, int positions, int size, int k) {
    float[] logits = logits(random, positions, size);
    List<SparseDistribution> out = new ArrayList<>(positions);
    for (int p = 0; p < positions; p++) {
      out.add(io.distillery.models.nn.TopK.of(logits, p * size, size, k, 1f));
    }
    return out;
  }
}
