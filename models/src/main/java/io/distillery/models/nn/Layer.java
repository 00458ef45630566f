package io.distillery.models.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.LmSpec;

/**
 * One layer of a sequential network. The same description builds the DJL block for training and the
 * ONNX nodes for export, so the two forms cannot drift apart.
 */
public sealed interface Layer
    permits Layer.Conv,
        Layer.Relu,
        Layer.MaxPool,
        Layer.Flatten,
        Layer.Dense,
        Layer.Dropout,
        Layer.Decoder {

  /** Builds the DJL block of this layer. */
  Block toBlock();

  /** Whether the layer has trainable parameters ({@code weight} and {@code bias}). */
  default boolean hasParameters() {
    return false;
  }

  /**
   * 2-D convolution with a square kernel, stride 1 and symmetric zero padding; weight layout
   * (filters, in channels, kernel, kernel).
   *
   * @param filters output channels
   * @param kernel kernel height and width
   * @param padding zero padding on every side
   */
  record Conv(int filters, int kernel, int padding) implements Layer {
    /** Validates the sizes. */
    public Conv {
      if (filters <= 0 || kernel <= 0 || padding < 0) {
        throw new IllegalArgumentException(
            "conv needs filters > 0, kernel > 0, padding >= 0, got filters="
                + filters
                + " kernel="
                + kernel
                + " padding="
                + padding);
      }
    }

    @Override
    public Block toBlock() {
      return Conv2d.builder()
          .setFilters(filters)
          .setKernelShape(new Shape(kernel, kernel))
          .optPadding(new Shape(padding, padding))
          .build();
    }

    @Override
    public boolean hasParameters() {
      return true;
    }
  }

  /** Rectified linear unit. */
  record Relu() implements Layer {
    @Override
    public Block toBlock() {
      return Activation.reluBlock();
    }
  }

  /**
   * Max pooling with a square window, stride equal to the window, no padding, floor mode.
   *
   * @param size window height and width
   */
  record MaxPool(int size) implements Layer {
    /** Validates the size. */
    public MaxPool {
      if (size <= 0) {
        throw new IllegalArgumentException("max pool size must be > 0, got " + size);
      }
    }

    @Override
    public Block toBlock() {
      return Pool.maxPool2dBlock(new Shape(size, size), new Shape(size, size));
    }
  }

  /** Flattens (N, ...) to (N, features) in row-major order. */
  record Flatten() implements Layer {
    @Override
    public Block toBlock() {
      return Blocks.batchFlattenBlock();
    }
  }

  /**
   * Fully connected layer; weight layout (units, in features).
   *
   * @param units output features
   */
  record Dense(int units) implements Layer {
    /** Validates the size. */
    public Dense {
      if (units <= 0) {
        throw new IllegalArgumentException("dense units must be > 0, got " + units);
      }
    }

    @Override
    public Block toBlock() {
      return Linear.builder().setUnits(units).build();
    }

    @Override
    public boolean hasParameters() {
      return true;
    }
  }

  /**
   * Dropout while training; the identity at inference (and therefore absent from ONNX exports).
   *
   * @param rate probability of dropping a unit, in [0, 1)
   */
  record Dropout(float rate) implements Layer {
    /** Validates the rate. */
    public Dropout {
      if (!(rate >= 0 && rate < 1)) {
        throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
      }
    }

    @Override
    public Block toBlock() {
      return ai.djl.nn.norm.Dropout.builder().optRate(rate).build();
    }
  }

  /**
   * A whole decoder-only transformer language model ({@link CausalLm}): token ids (batch, seq) in,
   * logits (batch, seq, vocab) out. It is the only layer of a transformer student's network.
   *
   * @param lm the decoder's shape
   * @param tokenizerSha256 lower-case hex sha256 of the tokenizer.json its ids come from; empty
   *     when unknown (then any teacher tokenizer of the same vocabulary size is accepted)
   */
  record Decoder(LmSpec lm, String tokenizerSha256) implements Layer {
    /** Checks the fields. */
    public Decoder {
      if (lm == null) {
        throw new IllegalArgumentException("a decoder layer needs its LmSpec");
      }
      tokenizerSha256 = tokenizerSha256 == null ? "" : tokenizerSha256;
    }

    @Override
    public Block toBlock() {
      return new CausalLm(lm);
    }

    @Override
    public boolean hasParameters() {
      return true;
    }
  }
}
