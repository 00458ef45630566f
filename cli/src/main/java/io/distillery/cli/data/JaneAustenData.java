package io.distillery.cli.data;

import io.distillery.models.text.JaneAusten;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds Jane Austen's novels (the R package janeaustenr's data files), or fetches them without root
 * from the Debian package {@value JaneAusten#PACKAGE}: {@code apt-get download} into a cache
 * directory and {@code dpkg-deb -x} there, like {@link FashionMnistData}. R itself is never needed.
 */
public final class JaneAustenData {

  private JaneAustenData() {}

  /**
   * Returns the R package directory holding {@code data/Rdata.rdb} and {@code data/Rdata.rdx}: the
   * one {@link JaneAusten#locate} finds (system property {@value JaneAusten#PROPERTY}, environment
   * variable {@value JaneAusten#ENV}, then {@value JaneAusten#DEFAULT_DIR}); else {@code
   * cacheDir/usr/lib/R/site-library/janeaustenr} if an earlier call extracted the package there;
   * else the package downloaded and extracted into {@code cacheDir} now. A directory named by the
   * property or the variable that lacks the files is an error, not a reason to download.
   *
   * @param cacheDir where a downloaded package is extracted (created if missing)
   * @param log where one line per step goes
   * @return the R package directory
   * @throws IOException if the files are nowhere and cannot be fetched; the message says what to do
   */
  public static Path locateOrFetch(Path cacheDir, PrintStream log) throws IOException {
    try {
      return JaneAusten.locate(null);
    } catch (FileNotFoundException notInstalled) {
      if (configured(System.getProperty(JaneAusten.PROPERTY))
          || configured(System.getenv(JaneAusten.ENV))) {
        throw notInstalled;
      }
      return fetch(cacheDir, log, JaneAusten.PACKAGE);
    }
  }

  /**
   * The cache lookup and the download, without looking at the installed package first.
   *
   * @param packageName the Debian package to download (a parameter so tests can name a bogus one)
   */
  static Path fetch(Path cacheDir, PrintStream log, String packageName) throws IOException {
    Path dir = cacheDir.resolve(JaneAusten.DEFAULT_DIR.substring(1));
    if (JaneAusten.missing(dir).isEmpty()) {
      return dir;
    }
    log.printf(
        "The Jane Austen corpus is not installed; fetching the Debian package %s into %s%n",
        packageName, cacheDir.toAbsolutePath());
    try {
      DebianPackages.downloadAndExtract(packageName, cacheDir);
    } catch (IOException e) {
      throw new IOException(cannotFetch(packageName, e.getMessage()), e);
    }
    List<String> missing = JaneAusten.missing(dir);
    if (!missing.isEmpty()) {
      throw new IOException(
          cannotFetch(
              packageName,
              "the package " + packageName + " did not contain " + missing + " in " + dir));
    }
    log.printf("Jane Austen corpus extracted to %s%n", dir.toAbsolutePath());
    return dir;
  }

  private static boolean configured(String value) {
    return value != null && !value.isBlank();
  }

  private static String cannotFetch(String packageName, String reason) {
    return String.format(
        "The Jane Austen corpus was not found and could not be downloaded (%s). Install it with"
            + " `sudo apt-get install %s`, set %s (or -D%s) to the R package directory holding %s,"
            + " or train on your own text with --corpus FILE",
        reason,
        packageName,
        JaneAusten.ENV,
        JaneAusten.PROPERTY,
        String.join(", ", JaneAusten.FILES));
  }
}
