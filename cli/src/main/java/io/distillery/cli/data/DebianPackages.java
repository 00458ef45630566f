package io.distillery.cli.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Fetches a Debian package's files without root: {@code apt-get download} into a temporary
 * directory under the cache, then {@code dpkg-deb -x} into the cache itself, so the package's paths
 * appear under it (e.g. {@code cache/usr/share/...}). Nothing is installed, no dependency pulled.
 */
final class DebianPackages {
  private static final long COMMAND_TIMEOUT_MINUTES = 10;

  private DebianPackages() {}

  /**
   * Downloads and extracts one package.
   *
   * @param packageName the Debian package
   * @param cacheDir where its files are extracted (created if missing)
   * @throws IOException if apt-get or dpkg-deb is missing or fails; the message has their error
   */
  static void downloadAndExtract(String packageName, Path cacheDir) throws IOException {
    Files.createDirectories(cacheDir);
    Path download = Files.createTempDirectory(cacheDir, "apt-download-");
    try {
      run(download, "apt-get", "download", packageName);
      Path deb = singleDeb(download, packageName);
      run(download, "dpkg-deb", "-x", deb.toString(), cacheDir.toAbsolutePath().toString());
    } finally {
      deleteRecursively(download);
    }
  }

  private static Path singleDeb(Path dir, String packageName) throws IOException {
    List<Path> debs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.deb")) {
      files.forEach(debs::add);
    }
    if (debs.size() != 1) {
      throw new IOException(
          "apt-get download " + packageName + " left " + debs.size() + " .deb files in " + dir);
    }
    return debs.get(0);
  }

  /** Runs a command in {@code dir}; fails with its last output line if it exits non-zero. */
  private static void run(Path dir, String... command) throws IOException {
    Path output = dir.resolve(".output-" + command[0]);
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
    } catch (IOException e) {
      throw new IOException(command[0] + " is not available: " + e.getMessage(), e);
    }
    try {
      if (!process.waitFor(COMMAND_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_MINUTES + " min");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", command) + " was interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command)
              + " failed with exit code "
              + process.exitValue()
              + ": "
              + lastErrorLine(output));
    }
  }

  /** apt-get prints warnings (W:) before the error (E:); the error is the useful line. */
  private static String lastErrorLine(Path output) throws IOException {
    List<String> lines =
        Files.readAllLines(output, StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .toList();
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith("E:")) {
        return lines.get(i);
      }
    }
    return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
