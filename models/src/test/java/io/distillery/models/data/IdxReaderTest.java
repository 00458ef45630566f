package io.distillery.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  private static Path dataDir;

  @TempDir Path tmp;

  @BeforeAll
  static void locate() throws IOException {
    dataDir = FashionMnistLocator.locate();
  }

  @Test
  void readsTheRealTrainingAndTestSets() throws IOException {
    LabeledImages train = FashionMnist.train(dataDir);
    LabeledImages test = FashionMnist.test(dataDir);

    assertEquals(60_000, train.size());
    assertEquals(10_000, test.size());
    assertEquals(28 * 28, train.sampleSize());
    assertEquals(60_000 * 784, train.images().length);
    for (LabeledImages set : new LabeledImages[] {train, test}) {
      int[] perClass = new int[FashionMnist.NUM_CLASSES];
      for (int label : set.labels()) {
        perClass[label]++; // throws if a label is outside 0..9
      }
      // Fashion-MNIST is balanced: 6,000 / 1,000 images per class.
      int expected = set.size() / FashionMnist.NUM_CLASSES;
      assertTrue(Arrays.stream(perClass).allMatch(c -> c == expected), Arrays.toString(perClass));
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (float v : set.images()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertEquals(0f, min);
      assertEquals(1f, max);
    }
  }

  @Test
  void readsAnUncompressedFile() throws IOException {
    Path file = tmp.resolve("tiny-images-idx3-ubyte");
    Files.write(
        file,
        idx(
            IdxReader.IMAGES_MAGIC,
            new int[] {2, 2, 3},
            new byte[] {0, 51, 102, (byte) 153, (byte) 204, (byte) 255, 0, 0, 0, 0, 0, 0}));
    IdxReader.Images images = IdxReader.readImages(file);
    assertEquals(2, images.count());
    assertEquals(2, images.rows());
    assertEquals(3, images.cols());
    assertEquals(0.2f, images.pixels()[1], 1e-6f);
    assertEquals(1f, images.pixels()[5]);
  }

  @Test
  void rejectsLabelsPassedAsImagesNamingFileAndExpectedMagic() throws IOException {
    Path file = gzip("labels.gz", idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {1, 2, 3}));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
  }

  @Test
  void rejectsBadLabelMagic() throws IOException {
    Path file = gzip("bad.gz", idx(0x12345678, new int[] {1}, new byte[] {1}));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
    assertTrue(e.getMessage().contains("bad magic number 0x12345678"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 0x00000801"), e.getMessage());
  }

  @Test
  void rejectsATruncatedBody() throws IOException {
    // Header promises 10 images of 28×28 (7,840 bytes); 100 follow.
    Path file =
        gzip("short.gz", idx(IdxReader.IMAGES_MAGIC, new int[] {10, 28, 28}, new byte[100]));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("7840 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("only 100 bytes follow"), e.getMessage());
  }

  @Test
  void rejectsATruncatedHeader() throws IOException {
    Path file = tmp.resolve("header-idx1-ubyte");
    Files.write(file, new byte[] {0, 0, 8, 1, 0, 0});
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
    assertTrue(
        e.getMessage().contains("truncated header, missing the label count"), e.getMessage());
  }

  @Test
  void rejectsACutOffGzipStream() throws IOException {
    byte[] whole =
        Files.readAllBytes(
            gzip("whole.gz", idx(IdxReader.LABELS_MAGIC, new int[] {5000}, random(5000))));
    Path file = tmp.resolve("cut.gz");
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void rejectsAFileThatIsNotGzip() throws IOException {
    Path file = tmp.resolve("plain.gz");
    Files.write(file, idx(IdxReader.LABELS_MAGIC, new int[] {1}, new byte[] {1}));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
    assertTrue(e.getMessage().contains("not a valid gzip file"), e.getMessage());
  }

  @Test
  void namesAMissingFile() {
    Path file = tmp.resolve("missing-idx3-ubyte.gz");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> IdxReader.readImages(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void rejectsImagesAndLabelsOfDifferentCounts() throws IOException {
    Path images =
        gzip("i.gz", idx(IdxReader.IMAGES_MAGIC, new int[] {2, 28, 28}, new byte[2 * 784]));
    Path labels = gzip("l.gz", idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[3]));
    IdxFormatException e =
        assertThrows(IdxFormatException.class, () -> FashionMnist.read(images, labels));
    assertTrue(e.getMessage().contains("holds 2 images but"), e.getMessage());
  }

  @Test
  void rejectsLabelsOutsideTheTenClasses() throws IOException {
    Path images =
        gzip("i.gz", idx(IdxReader.IMAGES_MAGIC, new int[] {2, 28, 28}, new byte[2 * 784]));
    Path labels = gzip("l.gz", idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {3, 12}));
    IdxFormatException e =
        assertThrows(IdxFormatException.class, () -> FashionMnist.read(images, labels));
    assertTrue(e.getMessage().contains("label 12 at index 1 is outside 0..9"), e.getMessage());
  }

  private static byte[] idx(int magic, int[] dims, byte[] body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic); // DataOutputStream is big-endian, as IDX requires
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(body);
    }
    return bytes.toByteArray();
  }

  private Path gzip(String name, byte[] content) throws IOException {
    Path file = tmp.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
    return file;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new java.util.Random(7).nextBytes(b);
    return b;
  }
}
