package io.distillery.models.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files round-trip, stay private, and bad ones are named. */
class WatermarkKeyTest {

  @TempDir Path dir;

  @Test
  void writesAndReadsTheSameKeyReadableByItsOwnerOnly() throws IOException {
    WatermarkKey key =
        WatermarkKey.generate(784, 10, WatermarkKey.DEFAULT_FREQUENCY, WatermarkKey.DEFAULT_GRID);
    Path file = dir.resolve("keys/wm.key");
    key.write(file);
    assertEquals(key, WatermarkKey.read(file));
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(file));
    assertFalse(key.toString().contains(Long.toString(key.seed())), key.toString());
  }

  @Test
  void directionIsAUnitVectorFixedBySeed() {
    WatermarkKey key = new WatermarkKey(7L, 784, 10, 0, 30, 0);
    float[] v = key.direction();
    double norm = 0;
    for (float x : v) {
      norm += x * (double) x;
    }
    assertEquals(1.0, norm, 1e-5);
    assertEquals(v[5], new WatermarkKey(7L, 784, 10, 0, 30, 0).direction()[5]);
    assertNotEquals(v[5], new WatermarkKey(8L, 784, 10, 0, 30, 0).direction()[5]);
  }

  @Test
  void badKeyFilesAreNamed() throws IOException {
    Path missing = dir.resolve("missing.key");
    IOException absent = assertThrows(IOException.class, () -> WatermarkKey.read(missing));
    assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());
    Path partial = dir.resolve("partial.key");
    Files.writeString(partial, "seed=1\ninput-size=784\nclasses=10\n");
    IOException lacks = assertThrows(IOException.class, () -> WatermarkKey.read(partial));
    assertTrue(lacks.getMessage().contains("target-class"), lacks.getMessage());
    Path wrong = dir.resolve("wrong.key");
    Files.writeString(
        wrong, "seed=1\ninput-size=784\nclasses=10\ntarget-class=12\nfrequency=30\nphase=0\n");
    IOException invalid = assertThrows(IOException.class, () -> WatermarkKey.read(wrong));
    assertTrue(invalid.getMessage().contains("target-class"), invalid.getMessage());
  }
}
