package io.distillery.trainer.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories of the Kafka tests, removed after each test. */
public final class TempDirs {

  private TempDirs() {}

  /** Deletes a directory tree, best effort. */
  public static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(TempDirs::deleteQuietly);
    } catch (IOException ignored) {
      // Best effort: the OS cleans /tmp eventually.
    }
  }

  /** Deletes the tree when the JVM exits. */
  public static void deleteOnExit(Path dir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir), "delete-" + dir));
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // See delete.
    }
  }
}
