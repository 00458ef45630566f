package io.distillery.cli.data;

import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the Fashion-MNIST IDX files, or fetches them without root from the Debian package {@value
 * #PACKAGE}: {@code apt-get download} into a cache directory and {@code dpkg-deb -x} there.
 */
public final class FashionMnistData {

  /** The Debian package that installs the files into {@value FashionMnistLocator#DEFAULT_DIR}. */
  public static final String PACKAGE = "dataset-fashion-mnist";

  private FashionMnistData() {}

  /**
   * Returns a directory holding the four Fashion-MNIST IDX {@code .gz} files: the one {@link
   * FashionMnistLocator} finds (system property {@value FashionMnistLocator#PROPERTY}, environment
   * variable {@value FashionMnistLocator#ENV}, then {@value FashionMnistLocator#DEFAULT_DIR}); else
   * {@code cacheDir/usr/share/datasets/fashion-mnist} if an earlier call extracted the package
   * there; else the package downloaded and extracted into {@code cacheDir} now. A directory named
   * by the property or the variable that lacks the files is an error, not a reason to download.
   *
   * @param cacheDir where a downloaded package is extracted (created if missing)
   * @param log where one line per step goes
   * @return the data directory
   * @throws IOException if the files are nowhere and cannot be fetched; the message says what to do
   */
  public static Path locateOrFetch(Path cacheDir, PrintStream log) throws IOException {
    try {
      return FashionMnistLocator.locate();
    } catch (FileNotFoundException notInstalled) {
      if (configured(System.getProperty(FashionMnistLocator.PROPERTY))
          || configured(System.getenv(FashionMnistLocator.ENV))) {
        throw notInstalled; // a directory named on purpose is wrong: say so, fetch nothing
      }
      return fetch(cacheDir, log, PACKAGE);
    }
  }

  /**
   * The cache lookup and the download, without asking {@link FashionMnistLocator} first.
   *
   * @param packageName the Debian package to download (a parameter so tests can name a bogus one)
   */
  static Path fetch(Path cacheDir, PrintStream log, String packageName) throws IOException {
    Path dataDir = cacheDir.resolve(FashionMnistLocator.DEFAULT_DIR.substring(1));
    if (missing(dataDir).isEmpty()) {
      return dataDir;
    }
    log.printf(
        "Fashion-MNIST is not installed; fetching the Debian package %s into %s%n",
        packageName, cacheDir.toAbsolutePath());
    try {
      DebianPackages.downloadAndExtract(packageName, cacheDir);
    } catch (IOException e) {
      throw new IOException(cannotFetch(packageName, e.getMessage()), e);
    }
    List<String> missing = missing(dataDir);
    if (!missing.isEmpty()) {
      throw new IOException(
          cannotFetch(
              packageName,
              "the package " + packageName + " did not contain " + missing + " in " + dataDir));
    }
    log.printf("Fashion-MNIST extracted to %s%n", dataDir.toAbsolutePath());
    return dataDir;
  }

  private static boolean configured(String value) {
    return value != null && !value.isBlank();
  }

  private static List<String> missing(Path dir) {
    return FashionMnist.FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
  }

  private static String cannotFetch(String packageName, String reason) {
    return String.format(
        "Fashion-MNIST not found and could not be downloaded (%s). Install it with `sudo apt-get"
            + " install %s`, or set %s (or -D%s) to a directory holding %s",
        reason,
        packageName,
        FashionMnistLocator.ENV,
        FashionMnistLocator.PROPERTY,
        String.join(", ", FashionMnist.FILES));
  }
}
