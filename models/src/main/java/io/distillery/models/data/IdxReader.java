package io.distillery.models.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of (Fashion-)MNIST: a big-endian int32 magic ({@code 0x00000803} for
 * unsigned-byte images of rank 3, {@code 0x00000801} for labels of rank 1), one big-endian int32
 * per dimension, then the unsigned bytes. Files ending in {@code .gz} are decompressed on the fly.
 */
public final class IdxReader {
  /** Magic number of a rank-3 unsigned-byte tensor (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of a rank-1 unsigned-byte tensor (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  // Guards against allocating gigabytes for a corrupt header.
  private static final long MAX_ELEMENTS = 1L << 30;

  private IdxReader() {}

  /** Images read from an IDX file: {@code count} images of {@code rows × cols} pixels. */
  public record Images(int count, int rows, int cols, float[] pixels) {}

  /**
   * Reads an images file and scales pixels from 0..255 to [0, 1].
   *
   * @param file an {@code idx3-ubyte} file, optionally gzip-compressed
   * @return the images, row-major, image after image
   * @throws IOException if the file is missing, truncated or not an IDX images file
   */
  public static Images readImages(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, file, "magic number");
      if (magic != IMAGES_MAGIC) {
        throw new IdxFormatException(
            String.format(
                "%s: bad magic number 0x%08x, expected 0x%08x (IDX unsigned-byte images, rank 3)",
                file, magic, IMAGES_MAGIC));
      }
      int count = readDimension(in, file, "image count");
      int rows = readDimension(in, file, "row count");
      int cols = readDimension(in, file, "column count");
      long total = (long) count * rows * cols;
      if (total > MAX_ELEMENTS) {
        throw new IdxFormatException(
            String.format(
                "%s: header declares %d×%d×%d pixels, more than the %d supported",
                file, count, rows, cols, MAX_ELEMENTS));
      }
      byte[] raw = readBody(in, file, (int) total, count + " images of " + rows + "×" + cols);
      float[] pixels = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xff) / 255f;
      }
      return new Images(count, rows, cols, pixels);
    }
  }

  /**
   * Reads a labels file.
   *
   * @param file an {@code idx1-ubyte} file, optionally gzip-compressed
   * @return one label (0..255) per sample
   * @throws IOException if the file is missing, truncated or not an IDX labels file
   */
  public static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, file, "magic number");
      if (magic != LABELS_MAGIC) {
        throw new IdxFormatException(
            String.format(
                "%s: bad magic number 0x%08x, expected 0x%08x (IDX unsigned-byte labels, rank 1)",
                file, magic, LABELS_MAGIC));
      }
      int count = readDimension(in, file, "label count");
      byte[] raw = readBody(in, file, count, count + " labels");
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = raw[i] & 0xff;
      }
      return labels;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "IDX file not found");
    }
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    if (file.getFileName().toString().endsWith(".gz")) {
      try {
        in = new GZIPInputStream(in, 1 << 16);
      } catch (IOException e) {
        in.close();
        throw new IdxFormatException(file + ": not a valid gzip file (" + e.getMessage() + ")");
      }
    }
    return new DataInputStream(in);
  }

  private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new IdxFormatException(file + ": truncated header, missing the " + what);
    }
  }

  private static int readDimension(DataInputStream in, Path file, String what) throws IOException {
    int value = readHeaderInt(in, file, what);
    if (value < 0) {
      throw new IdxFormatException(file + ": negative " + what + " " + value + " in header");
    }
    return value;
  }

  private static byte[] readBody(DataInputStream in, Path file, int length, String what)
      throws IOException {
    byte[] raw = new byte[length];
    int read;
    try {
      read = in.readNBytes(raw, 0, length);
    } catch (EOFException e) {
      // A cut-off gzip stream ends with an EOFException rather than a short read.
      throw new IdxFormatException(
          String.format(
              "%s: truncated, header declares %s (%d bytes) but the compressed data ends early",
              file, what, length));
    }
    if (read < length) {
      throw new IdxFormatException(
          String.format(
              "%s: truncated, header declares %s (%d bytes) but only %d bytes follow",
              file, what, length, read));
    }
    return raw;
  }
}
