package io.distillery.drills.support;

import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;

/** Real Fashion-MNIST training images as prompt events, ids {@code <prefix>-<index>}. */
public final class FashionPrompts {

  private static LabeledImages train;

  private FashionPrompts() {}

  public static synchronized LabeledImages train() throws Exception {
    if (train == null) {
      train = FashionMnist.train(FashionMnistLocator.locate());
    }
    return train;
  }

  /** The prompt of image {@code index % 60,000}, with id {@code prefix-index}. */
  public static PromptEvent prompt(String prefix, int index) throws Exception {
    LabeledImages images = train();
    int image = index % images.size();
    int per = images.sampleSize();
    Tensor.Builder tensor = Tensor.newBuilder().addAllShape(FashionMnist.SAMPLE_SHAPE);
    for (int v = image * per; v < (image + 1) * per; v++) {
      tensor.addValues(images.images()[v]);
    }
    return PromptEvent.newBuilder()
        .setId(prefix + "-" + index)
        .setDataset("drill")
        .setInput(ModelInput.newBuilder().setTensor(tensor))
        .setLabel(images.labels()[image])
        .build();
  }
}
