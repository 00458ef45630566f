package io.distillery.models.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Random translation by up to ±{@code maxShift} pixels in each direction, filling the uncovered
 * border with zeros (the background of Fashion-MNIST). Cheap, label-preserving, and the
 * augmentation the reference teacher was trained with.
 */
public final class ShiftAugmentation {
  private final int maxShift;

  /**
   * Creates the augmentation.
   *
   * @param maxShift largest shift in pixels per axis; 0 disables it
   */
  public ShiftAugmentation(int maxShift) {
    if (maxShift < 0) {
      throw new IllegalArgumentException("maxShift must be >= 0, got " + maxShift);
    }
    this.maxShift = maxShift;
  }

  /** Largest shift in pixels per axis. */
  public int maxShift() {
    return maxShift;
  }

  /**
   * Shifts every image of a batch in place by its own random offset.
   *
   * @param batch row-major (count, channels, rows, cols) pixels
   * @param count images in the batch
   * @param channels channels per image
   * @param rows rows per image
   * @param cols columns per image
   * @param random source of the offsets (seeded by the caller for reproducibility)
   */
  public void apply(float[] batch, int count, int channels, int rows, int cols, Random random) {
    if (maxShift == 0) {
      return;
    }
    int size = channels * rows * cols;
    float[] copy = new float[size];
    for (int i = 0; i < count; i++) {
      int dy = random.nextInt(2 * maxShift + 1) - maxShift;
      int dx = random.nextInt(2 * maxShift + 1) - maxShift;
      System.arraycopy(batch, i * size, copy, 0, size);
      shift(copy, batch, i * size, channels, rows, cols, dy, dx);
    }
  }

  /**
   * Writes {@code src} translated by (dy, dx) into {@code dst} at {@code offset}: pixel (y, x) of
   * the result is pixel (y - dy, x - dx) of the source, or 0 outside it.
   *
   * @param src one image, (channels, rows, cols)
   * @param dst destination array
   * @param offset where the image starts in {@code dst}
   * @param channels channels per image
   * @param rows rows per image
   * @param cols columns per image
   * @param dy rows to move down (negative: up)
   * @param dx columns to move right (negative: left)
   */
  public static void shift(
      float[] src, float[] dst, int offset, int channels, int rows, int cols, int dy, int dx) {
    for (int c = 0; c < channels; c++) {
      int plane = c * rows * cols;
      for (int y = 0; y < rows; y++) {
        int sy = y - dy;
        int row = offset + plane + y * cols;
        if (sy < 0 || sy >= rows) {
          Arrays.fill(dst, row, row + cols, 0f);
          continue;
        }
        for (int x = 0; x < cols; x++) {
          int sx = x - dx;
          dst[row + x] = sx < 0 || sx >= cols ? 0f : src[plane + sy * cols + sx];
        }
      }
    }
  }
}
