package io.distillery.cli.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distillery.models.text.JaneAusten;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JaneAustenDataTest {
  private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void prefersTheInstalledPackage(@TempDir Path cache) throws IOException {
    Path installed;
    try {
      installed = JaneAusten.locate(null);
    } catch (java.io.FileNotFoundException e) {
      assumeTrue(false, "r-cran-janeaustenr is not installed here: " + e.getMessage());
      return;
    }
    assertEquals(installed, JaneAustenData.locateOrFetch(cache, DISCARD));
    try (var files = Files.list(cache)) {
      assertEquals(0, files.count(), "nothing fetched when the package is installed");
    }
  }

  @Test
  void reusesAnEarlierDownload(@TempDir Path cache) throws IOException {
    Path dir = cache.resolve("usr/lib/R/site-library/janeaustenr");
    Files.createDirectories(dir.resolve("data"));
    for (String file : JaneAusten.FILES) {
      Files.writeString(dir.resolve(file), "x");
    }
    // A bogus package name proves nothing is downloaded.
    assertEquals(dir, JaneAustenData.fetch(cache, DISCARD, "no-such-package-distillery"));
  }

  @Test
  void downloadsTheDebianPackageWithoutRoot(@TempDir Path cache) throws IOException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")), "needs apt-get");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path dir =
        JaneAustenData.fetch(
            cache, new PrintStream(log, true, StandardCharsets.UTF_8), JaneAusten.PACKAGE);
    assertEquals(cache.resolve("usr/lib/R/site-library/janeaustenr"), dir);
    assertEquals(6, JaneAusten.novels(dir).size());
    try (var files = Files.list(cache)) {
      assertEquals(1, files.count(), "only usr/ remains, the download dir is gone");
    }
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("extracted to"), log.toString());
  }

  @Test
  void saysWhatToDoWhenThePackageCannotBeFetched(@TempDir Path cache) {
    IOException e =
        assertThrows(
            IOException.class,
            () -> JaneAustenData.fetch(cache, DISCARD, "no-such-package-distillery"));
    String message = e.getMessage();
    assertTrue(message.contains("sudo apt-get install no-such-package-distillery"), message);
    assertTrue(message.contains(JaneAusten.ENV), message);
    assertTrue(message.contains("--corpus FILE"), message);
    assertTrue(!message.contains("\n"), "one line: " + message);
  }
}
