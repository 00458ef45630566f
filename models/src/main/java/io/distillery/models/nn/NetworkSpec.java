package io.distillery.models.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import java.util.Arrays;
import java.util.List;

/**
 * A sequential network: its name, the shape of one input sample, its layers and its output size.
 * The network maps a batch of shape (N, sampleShape...) to logits of shape (N, outputSize).
 *
 * @param name short identifier, e.g. {@code fashion-cnn} or {@code mlp-784-128-10}
 * @param sampleShape shape of one input sample, e.g. (1, 28, 28)
 * @param layers the layers in order
 * @param outputSize number of logits per sample (the units of the last dense layer)
 */
public record NetworkSpec(String name, long[] sampleShape, List<Layer> layers, int outputSize) {

  /** Copies the arguments and checks that the last parameterised layer produces the outputs. */
  public NetworkSpec {
    sampleShape = sampleShape.clone();
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("network " + name + " has no layers");
    }
    Layer last = layers.get(layers.size() - 1);
    boolean endsInOutputs =
        last instanceof Layer.Dense dense
            ? dense.units() == outputSize
            : last instanceof Layer.Decoder decoder && decoder.lm().vocabSize() == outputSize;
    if (!endsInOutputs) {
      throw new IllegalArgumentException(
          "network "
              + name
              + " must end in a dense layer (or a decoder over a vocabulary) of "
              + outputSize
              + " units, ends in "
              + last);
    }
  }

  /** Builds a fresh, uninitialised DJL block: one child per layer, in order. */
  public SequentialBlock newBlock() {
    SequentialBlock block = new SequentialBlock();
    for (Layer layer : layers) {
      block.add(layer.toBlock());
    }
    return block;
  }

  /**
   * Shape of a batch of inputs.
   *
   * @param batchSize samples in the batch
   * @return (batchSize, sampleShape...)
   */
  public Shape inputShape(long batchSize) {
    long[] dims = new long[sampleShape.length + 1];
    dims[0] = batchSize;
    System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
    return new Shape(dims);
  }

  /** Values per input sample: the product of {@link #sampleShape()}. */
  public int sampleSize() {
    return (int) Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
  }

  /**
   * Multiply-accumulates of one forward pass of one sample: convolutions and dense layers (pooling,
   * activations and biases are not counted). The usual measure of a network's compute ("FLOPs" ≈ 2×
   * this).
   */
  public long multiplyAccumulates() {
    long channels = sampleShape.length == 3 ? sampleShape[0] : 1;
    long rows = sampleShape.length == 3 ? sampleShape[1] : 1;
    long cols = sampleShape.length == 3 ? sampleShape[2] : 1;
    long features = sampleSize();
    long total = 0;
    for (Layer layer : layers) {
      if (layer instanceof Layer.Conv conv) {
        rows = rows + 2L * conv.padding() - conv.kernel() + 1;
        cols = cols + 2L * conv.padding() - conv.kernel() + 1;
        total += rows * cols * conv.filters() * channels * conv.kernel() * conv.kernel();
        channels = conv.filters();
        features = channels * rows * cols;
      } else if (layer instanceof Layer.MaxPool pool) {
        rows /= pool.size();
        cols /= pool.size();
        features = channels * rows * cols;
      } else if (layer instanceof Layer.Dense dense) {
        total += features * dense.units();
        features = dense.units();
      } else if (layer instanceof Layer.Decoder decoder) {
        total += decoderMultiplyAccumulates(decoder.lm());
      }
    }
    return total;
  }

  /** A decoder over a full context: projections, attention over the context, the output layer. */
  private static long decoderMultiplyAccumulates(io.distillery.models.lm.LmSpec lm) {
    long d = lm.width();
    long t = lm.contextLength();
    long perToken = lm.layers() * (4 * d * d + 2 * d * lm.mlpWidth() + 2 * t * d);
    return t * (perToken + lm.vocabSize() * d);
  }

  /** The decoder of a transformer network, if it is one. */
  public java.util.Optional<Layer.Decoder> decoder() {
    return layers.get(layers.size() - 1) instanceof Layer.Decoder decoder
        ? java.util.Optional.of(decoder)
        : java.util.Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSpec other
        && name.equals(other.name)
        && Arrays.equals(sampleShape, other.sampleShape)
        && layers.equals(other.layers)
        && outputSize == other.outputSize;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + Arrays.hashCode(sampleShape)) + layers.hashCode();
  }

  @Override
  public String toString() {
    return name + Arrays.toString(sampleShape) + layers;
  }
}
