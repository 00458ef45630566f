package io.distillery.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Fashion-MNIST data set as installed by the Debian package {@code dataset-fashion-mnist}:
 * 60,000 training and 10,000 test images of 28×28 grey pixels in 10 classes.
 */
public final class FashionMnist {
  /** Number of classes. */
  public static final int NUM_CLASSES = 10;

  /** Image height and width in pixels. */
  public static final int IMAGE_SIZE = 28;

  /** Shape of one input sample as (channels, rows, cols). */
  public static final List<Long> SAMPLE_SHAPE = List.of(1L, 28L, 28L);

  /** Class names, index = label, as published with the data set. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** Training images file name. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";

  /** Training labels file name. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";

  /** Test images file name. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";

  /** Test labels file name. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

  /** The four files a data directory must hold. */
  public static final List<String> FILES =
      List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  /**
   * Size of the validation split that every Distillery job carves from the training set, so teacher
   * and students hold out the same images; see {@link ValidationSplit}.
   */
  public static final int DEFAULT_VALIDATION_SIZE = 5_000;

  /** Seed of the shared validation split. */
  public static final long DEFAULT_SPLIT_SEED = 42L;

  private FashionMnist() {}

  /**
   * Reads the 60,000 training images and labels.
   *
   * @param dir a directory holding the four IDX files
   * @return the training set
   * @throws IOException if a file is missing or malformed
   */
  public static LabeledImages train(Path dir) throws IOException {
    return read(dir.resolve(TRAIN_IMAGES), dir.resolve(TRAIN_LABELS));
  }

  /**
   * Reads the 10,000 test images and labels.
   *
   * @param dir a directory holding the four IDX files
   * @return the test set
   * @throws IOException if a file is missing or malformed
   */
  public static LabeledImages test(Path dir) throws IOException {
    return read(dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS));
  }

  /**
   * Reads one images file and its labels file and checks that they belong together.
   *
   * @param imagesFile IDX images file
   * @param labelsFile IDX labels file
   * @return the images with their labels
   * @throws IOException if a file is missing or malformed, or counts or labels do not fit
   */
  public static LabeledImages read(Path imagesFile, Path labelsFile) throws IOException {
    IdxReader.Images images = IdxReader.readImages(imagesFile);
    int[] labels = IdxReader.readLabels(labelsFile);
    if (images.count() != labels.length) {
      throw new IdxFormatException(
          String.format(
              "%s holds %d images but %s holds %d labels",
              imagesFile, images.count(), labelsFile, labels.length));
    }
    if (images.rows() != IMAGE_SIZE || images.cols() != IMAGE_SIZE) {
      throw new IdxFormatException(
          String.format(
              "%s: images are %d×%d, expected %d×%d for Fashion-MNIST",
              imagesFile, images.rows(), images.cols(), IMAGE_SIZE, IMAGE_SIZE));
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= NUM_CLASSES) {
        throw new IdxFormatException(
            String.format(
                "%s: label %d at index %d is outside 0..%d",
                labelsFile, labels[i], i, NUM_CLASSES - 1));
      }
    }
    return new LabeledImages(images.pixels(), labels, 1, images.rows(), images.cols());
  }
}
