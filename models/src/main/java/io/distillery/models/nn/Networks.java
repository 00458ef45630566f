package io.distillery.models.nn;

import io.distillery.models.data.FashionMnist;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The networks Distillery trains: the Fashion-MNIST teacher CNN and MLP students. */
public final class Networks {
  /** Name of {@link #fashionCnn()}. */
  public static final String FASHION_CNN = "fashion-cnn";

  private static final long[] FASHION_SAMPLE = {
    1, FashionMnist.IMAGE_SIZE, FashionMnist.IMAGE_SIZE
  };

  private static final Pattern MLP_NAME =
      Pattern.compile("mlp-((?:[0-9]+-)+[0-9]+)(?:-dropout([0-9.]+))?");

  private Networks() {}

  /**
   * The teacher: conv(32, 3×3, pad 1)-ReLU-maxpool 2 - conv(64, 3×3, pad 1)-ReLU-maxpool 2 -
   * flatten - FC 256-ReLU-dropout 0.5 - FC 10, on (N, 1, 28, 28) inputs; about 822k parameters.
   * NOTES.md: ≈91.5% test accuracy after 10 epochs with ±2 px shifts, against ≈88.5% for a
   * 784-128-10 MLP.
   *
   * @return the network description
   */
  public static NetworkSpec fashionCnn() {
    return new NetworkSpec(
        FASHION_CNN,
        FASHION_SAMPLE,
        List.of(
            new Layer.Conv(32, 3, 1),
            new Layer.Relu(),
            new Layer.MaxPool(2),
            new Layer.Conv(64, 3, 1),
            new Layer.Relu(),
            new Layer.MaxPool(2),
            new Layer.Flatten(),
            new Layer.Dense(256),
            new Layer.Relu(),
            new Layer.Dropout(0.5f),
            new Layer.Dense(FashionMnist.NUM_CLASSES)),
        FashionMnist.NUM_CLASSES);
  }

  /**
   * A Fashion-MNIST MLP student on (N, 1, 28, 28) inputs, e.g. {@code fashionMlp(0, 128)} for
   * 784-128-10.
   *
   * @param dropout dropout rate after each hidden ReLU, 0 for none
   * @param hidden hidden layer widths
   * @return the network description
   */
  public static NetworkSpec fashionMlp(float dropout, int... hidden) {
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = FashionMnist.IMAGE_SIZE * FashionMnist.IMAGE_SIZE;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = FashionMnist.NUM_CLASSES;
    return mlp(FASHION_SAMPLE, sizes, dropout);
  }

  /**
   * An MLP from layer sizes: flatten, then dense-ReLU(-dropout) per hidden size, then a dense
   * output layer. Its name is {@code mlp-<sizes joined by '-'>}, plus {@code -dropout<rate>} when
   * the rate is above 0; {@link #byName} turns the name back into the network.
   *
   * @param sampleShape shape of one input sample; its element count must equal {@code sizes[0]}
   * @param sizes input features, hidden widths..., outputs (at least two entries)
   * @param dropout dropout rate after each hidden ReLU, 0 for none
   * @return the network description
   */
  public static NetworkSpec mlp(long[] sampleShape, int[] sizes, float dropout) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException(
          "an MLP needs at least input and output sizes, got " + sizes.length + " sizes");
    }
    long features = 1;
    for (long d : sampleShape) {
      features *= d;
    }
    if (features != sizes[0]) {
      throw new IllegalArgumentException(
          "MLP input size "
              + sizes[0]
              + " does not match the sample shape's "
              + features
              + " values");
    }
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer.Flatten());
    for (int i = 1; i < sizes.length - 1; i++) {
      layers.add(new Layer.Dense(sizes[i]));
      layers.add(new Layer.Relu());
      if (dropout > 0) {
        layers.add(new Layer.Dropout(dropout));
      }
    }
    layers.add(new Layer.Dense(sizes[sizes.length - 1]));
    String name =
        "mlp-" + IntStream.of(sizes).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    if (dropout > 0) {
      // Dropout blocks are children too: a saved model only loads into the same structure.
      name += "-dropout" + dropout;
    }
    return new NetworkSpec(name, sampleShape, layers, sizes[sizes.length - 1]);
  }

  /**
   * A small CNN: per entry of {@code convChannels} a 3×3 convolution (padding 1)-ReLU-max-pool 2
   * stage, then flatten, dense-ReLU(-dropout) per hidden width, and a dense output layer. Named
   * {@code cnn-<C>x<H>x<W>-c<channels>...-h<width>...-<outputs>[-dropout<rate>]}.
   *
   * @param sampleShape (channels, rows, cols) of one image
   * @param convChannels output channels of each convolution stage, at least one
   * @param hidden widths of the dense hidden layers (may be empty)
   * @param outputs logits per sample
   * @param dropout dropout rate after each dense hidden ReLU, 0 for none
   * @return the network description
   */
  public static NetworkSpec cnn(
      long[] sampleShape, int[] convChannels, int[] hidden, int outputs, float dropout) {
    if (sampleShape.length != 3) {
      throw new IllegalArgumentException(
          "a CNN takes (channels, rows, cols) images, got input shape "
              + Arrays.toString(sampleShape));
    }
    if (convChannels.length == 0) {
      throw new IllegalArgumentException("a CNN needs at least one convolution stage");
    }
    long rows = sampleShape[1];
    long cols = sampleShape[2];
    StringBuilder name =
        new StringBuilder("cnn-")
            .append(sampleShape[0])
            .append('x')
            .append(rows)
            .append('x')
            .append(cols);
    List<Layer> layers = new ArrayList<>();
    for (int channels : convChannels) {
      if (rows < 2 || cols < 2) {
        throw new IllegalArgumentException(
            convChannels.length
                + " pooling stages shrink a "
                + sampleShape[1]
                + "×"
                + sampleShape[2]
                + " image below 1 pixel");
      }
      layers.add(new Layer.Conv(channels, 3, 1));
      layers.add(new Layer.Relu());
      layers.add(new Layer.MaxPool(2));
      rows /= 2;
      cols /= 2;
      name.append("-c").append(channels);
    }
    layers.add(new Layer.Flatten());
    for (int width : hidden) {
      layers.add(new Layer.Dense(width));
      layers.add(new Layer.Relu());
      if (dropout > 0) {
        layers.add(new Layer.Dropout(dropout));
      }
      name.append("-h").append(width);
    }
    layers.add(new Layer.Dense(outputs));
    name.append('-').append(outputs);
    if (dropout > 0 && hidden.length > 0) {
      name.append("-dropout").append(dropout);
    }
    return new NetworkSpec(name.toString(), sampleShape, layers, outputs);
  }

  /**
   * Rebuilds a network from its {@link NetworkSpec#name()}: {@value #FASHION_CNN} or {@code
   * mlp-<in>-<hidden>...-<out>[-dropout<rate>]}. An MLP with 784 inputs takes (1, 28, 28) images,
   * any other a flat vector.
   *
   * @param name the network name, e.g. from a teacher card or checkpoint manifest
   * @return the network description
   */
  public static NetworkSpec byName(String name) {
    if (FASHION_CNN.equals(name)) {
      return fashionCnn();
    }
    Matcher m = MLP_NAME.matcher(name == null ? "" : name);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "unknown network '"
              + name
              + "', expected "
              + FASHION_CNN
              + " or mlp-<in>-<hidden>...-<out>[-dropout<rate>]");
    }
    int[] sizes = Arrays.stream(m.group(1).split("-")).mapToInt(Integer::parseInt).toArray();
    float dropout = m.group(2) == null ? 0f : Float.parseFloat(m.group(2));
    long[] sample =
        sizes[0] == FashionMnist.IMAGE_SIZE * FashionMnist.IMAGE_SIZE
            ? FASHION_SAMPLE
            : new long[] {sizes[0]};
    NetworkSpec spec = mlp(sample, sizes, dropout);
    if (!spec.name().equals(name)) {
      throw new IllegalArgumentException(
          "network name '" + name + "' is not canonical, expected '" + spec.name() + "'");
    }
    return spec;
  }
}
