package io.distillery.models.data;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the directory holding the Fashion-MNIST IDX files: a configured path if one is given, else
 * the system property {@value #PROPERTY}, else the environment variable {@value #ENV}, else {@value
 * #DEFAULT_DIR} where the Debian package {@code dataset-fashion-mnist} installs them.
 */
public final class FashionMnistLocator {
  /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

  /** System property naming the data directory. */
  public static final String PROPERTY = "distillery.fashion-mnist.dir";

  /** Environment variable naming the data directory. */
  public static final String ENV = "DISTILLERY_FASHION_MNIST_DIR";

  private FashionMnistLocator() {}

  /**
   * Locates the data directory from the system property, the environment or the default.
   *
   * @return a directory holding all four files
   * @throws FileNotFoundException naming the directory and the missing files
   */
  public static Path locate() throws FileNotFoundException {
    return locate(null);
  }

  /**
   * Locates the data directory.
   *
   * @param configured a configured directory, or {@code null}/blank to fall back to the system
   *     property, the environment variable and then {@value #DEFAULT_DIR}
   * @return a directory holding all four files
   * @throws FileNotFoundException naming the directory, where its name came from and the missing
   *     files
   */
  public static Path locate(String configured) throws FileNotFoundException {
    String source;
    String dir;
    if (configured != null && !configured.isBlank()) {
      source = "the configured path";
      dir = configured;
    } else if (System.getProperty(PROPERTY) != null && !System.getProperty(PROPERTY).isBlank()) {
      source = "system property " + PROPERTY;
      dir = System.getProperty(PROPERTY);
    } else if (System.getenv(ENV) != null && !System.getenv(ENV).isBlank()) {
      source = "environment variable " + ENV;
      dir = System.getenv(ENV);
    } else {
      source = "the default location";
      dir = DEFAULT_DIR;
    }
    Path path = Path.of(dir);
    List<String> missing =
        FashionMnist.FILES.stream().filter(f -> !Files.isRegularFile(path.resolve(f))).toList();
    if (!missing.isEmpty()) {
      throw new FileNotFoundException(
          String.format(
              "Fashion-MNIST not found in %s (%s): missing %s. Install the Debian package"
                  + " dataset-fashion-mnist, or point %s / %s at a directory holding %s",
              path.toAbsolutePath(), source, missing, PROPERTY, ENV, FashionMnist.FILES));
    }
    return path;
  }
}
