package io.distillery.labeler.support;

import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import java.util.UUID;

/** Test prompts: deterministic 1x28x28 images. */
public final class Prompts {

  private Prompts() {}

  /** A unique id prefix per test, so tests sharing topics never read each other's records. */
  public static String runId(String test) {
    return test + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  /** The 784 pixel values of image {@code seed}. */
  public static float[] pixels(int seed) {
    float[] values = new float[784];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((i * 31 + seed * 17) % 255) / 255f;
    }
    return values;
  }

  /** A 1x28x28 tensor with the given values (shape included). */
  public static Tensor.Builder tensor(float[] values) {
    Tensor.Builder tensor = Tensor.newBuilder().addShape(1).addShape(28).addShape(28);
    for (float value : values) {
      tensor.addValues(value);
    }
    return tensor;
  }

  /** A valid prompt with a ground-truth label. */
  public static PromptEvent image(String id, int seed) {
    return PromptEvent.newBuilder()
        .setId(id)
        .setDataset("fashion-mnist/test")
        .setInput(ModelInput.newBuilder().setTensor(tensor(pixels(seed))))
        .setLabel(seed % 10)
        .build();
  }
}
