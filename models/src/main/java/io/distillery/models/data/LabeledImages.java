package io.distillery.models.data;

import java.util.Arrays;

/**
 * Images with one class label each, kept as flat arrays so batches can be copied into tensors
 * without boxing. Image {@code i} occupies {@code images[i * sampleSize() .. (i + 1) *
 * sampleSize())} in channel, row, column order, i.e. the whole array has shape (N, C, H, W).
 *
 * @param images pixels scaled to [0, 1], shape (N, channels, rows, cols), row-major
 * @param labels class ids, one per image
 * @param channels channels per image (1 for Fashion-MNIST)
 * @param rows rows per image
 * @param cols columns per image
 */
public record LabeledImages(float[] images, int[] labels, int channels, int rows, int cols) {

  /** Checks that the arrays agree with the declared shape. */
  public LabeledImages {
    if (channels <= 0 || rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          "image shape must be positive, got channels="
              + channels
              + " rows="
              + rows
              + " cols="
              + cols);
    }
    long expected = (long) labels.length * channels * rows * cols;
    if (images.length != expected) {
      throw new IllegalArgumentException(
          String.format(
              "images has %d values but %d labels × %d×%d×%d needs %d",
              images.length, labels.length, channels, rows, cols, expected));
    }
  }

  /** Number of images. */
  public int size() {
    return labels.length;
  }

  /** Values per image: channels × rows × cols. */
  public int sampleSize() {
    return channels * rows * cols;
  }

  /** Shape of one image as (channels, rows, cols). */
  public long[] sampleShape() {
    return new long[] {channels, rows, cols};
  }

  /**
   * Copies the given images, in the given order, into a new set.
   *
   * @param indices image indices into this set; may repeat
   * @return a new set with {@code indices.length} images
   */
  public LabeledImages subset(int[] indices) {
    int n = sampleSize();
    float[] out = new float[indices.length * n];
    int[] outLabels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int src = indices[i];
      if (src < 0 || src >= size()) {
        throw new IndexOutOfBoundsException("index " + src + " outside 0.." + (size() - 1));
      }
      System.arraycopy(images, src * n, out, i * n, n);
      outLabels[i] = labels[src];
    }
    return new LabeledImages(out, outLabels, channels, rows, cols);
  }

  /**
   * Returns the first {@code count} images (or all if there are fewer); handy for quick runs.
   *
   * @param count how many images to keep
   * @return a new set sharing no arrays with this one
   */
  public LabeledImages head(int count) {
    int k = Math.min(count, size());
    return new LabeledImages(
        Arrays.copyOf(images, k * sampleSize()), Arrays.copyOf(labels, k), channels, rows, cols);
  }
}
