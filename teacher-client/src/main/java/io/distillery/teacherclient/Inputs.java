package io.distillery.teacherclient;

import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import java.util.ArrayList;
import java.util.List;

/** Builds teacher inputs from the arrays services hold. */
public final class Inputs {

  private Inputs() {}

  /**
   * Samples {@code [offset, offset + count)} of row-major {@code values} as tensors of {@code
   * shape}.
   *
   * @param values row-major (n, shape...) values
   * @param shape shape of one sample, e.g. (1, 28, 28)
   */
  public static List<ModelInput> tensors(float[] values, int offset, int count, long[] shape) {
    int size = 1;
    for (long dimension : shape) {
      size = Math.multiplyExact(size, (int) dimension);
    }
    if ((long) (offset + count) * size > values.length) {
      throw new IllegalArgumentException(
          "samples "
              + offset
              + ".."
              + (offset + count)
              + " of "
              + size
              + " values each exceed the "
              + values.length
              + " values given");
    }
    List<ModelInput> samples = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Tensor.Builder tensor = Tensor.newBuilder();
      for (long dimension : shape) {
        tensor.addShape(dimension);
      }
      int start = (offset + i) * size;
      for (int v = start; v < start + size; v++) {
        tensor.addValues(values[v]);
      }
      samples.add(ModelInput.newBuilder().setTensor(tensor).build());
    }
    return samples;
  }

  /** A token sequence input (causal LM): the ids in order. */
  public static ModelInput tokens(int[] ids) {
    TokenSequence.Builder tokens = TokenSequence.newBuilder();
    for (int id : ids) {
      tokens.addIds(id);
    }
    return ModelInput.newBuilder().setTokens(tokens).build();
  }

  /** A token sequence input (causal LM) from ids as a tokenizer returns them. */
  public static ModelInput tokens(long[] ids) {
    TokenSequence.Builder tokens = TokenSequence.newBuilder();
    for (long id : ids) {
      tokens.addIds(Math.toIntExact(id));
    }
    return ModelInput.newBuilder().setTokens(tokens).build();
  }
}
