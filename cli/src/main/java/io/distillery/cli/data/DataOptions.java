package io.distillery.cli.data;

import io.distillery.models.data.FashionMnistLocator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data} and {@code --cache-dir} options of every command that reads Fashion-MNIST. */
public final class DataOptions {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST directory (default: -D"
              + FashionMnistLocator.PROPERTY
              + ", $"
              + FashionMnistLocator.ENV
              + ", "
              + FashionMnistLocator.DEFAULT_DIR
              + ", else the Debian package is downloaded into --cache-dir).")
  Path data;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Kept between runs: a downloaded data set, the demo's teacher (default: ${DEFAULT-VALUE}).")
  Path cacheDir = defaultCacheDir();

  /** Options as if given {@code --cache-dir dir} and no {@code --data}. */
  public static DataOptions in(Path cacheDir) {
    DataOptions options = new DataOptions();
    options.cacheDir = cacheDir;
    return options;
  }

  /** The directory with the four IDX files: {@code --data}, else located or fetched. */
  public Path locate(PrintStream log) throws IOException {
    return data != null
        ? FashionMnistLocator.locate(data.toString())
        : FashionMnistData.locateOrFetch(cacheDir, log);
  }

  /** The cache directory (absolute). */
  public Path cacheDir() {
    return cacheDir.toAbsolutePath();
  }

  /** {@code $XDG_CACHE_HOME/distillery}, else {@code ~/.cache/distillery}. */
  public static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("distillery");
  }
}
