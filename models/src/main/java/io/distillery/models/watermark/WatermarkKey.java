package io.distillery.models.watermark;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The secret of a CosWM-style watermark (Charette et al., AAAI 2022): a unit projection direction
 * {@code v} over the flattened input (derived from {@code seed}), a target class {@code c*}, and
 * the frequency {@code f} and phase of the cosine {@code cos(f · vᵀx + phase)} planted in the
 * teacher's probability of {@code c*}. Whoever holds it can mark outputs and test suspects; it is
 * never logged ({@link #toString} hides it) and never sent.
 *
 * @param seed derives the projection direction
 * @param inputSize values per flattened input (784 for Fashion-MNIST)
 * @param classes classes of the teacher's output
 * @param targetClass the class whose probability carries the signal
 * @param frequency radians per unit of projection
 * @param phase radians
 * @param grid 0 for a direction drawn over every input value; g &gt; 0 for a smooth direction over
 *     a square single-channel image: one random weight per cell of a g × g grid, shared by the
 *     cell's pixels. Smooth directions carry far more of an image set's variance than pixel-wise
 *     ones, and small students learn functions of them (measured: a pixel-wise key's cosine was not
 *     learned)
 */
public record WatermarkKey(
    long seed,
    int inputSize,
    int classes,
    int targetClass,
    double frequency,
    double phase,
    int grid) {

  /** The first line of a key file. */
  public static final String HEADER =
      "# distillery watermark key v1 — SECRET, keep it like a private key";

  /**
   * Default frequency for inputs scaled to [0, 1] like Fashion-MNIST pixels: a unit direction's
   * projections of such images spread over about ±1, so this gives several periods over a probe set
   * while staying smooth enough for a small student to learn.
   */
  public static final double DEFAULT_FREQUENCY = 1.0;

  /** Default grid of a key for square images. */
  public static final int DEFAULT_GRID = 4;

  /** A key over every input value (no grid). */
  public WatermarkKey(
      long seed, int inputSize, int classes, int targetClass, double frequency, double phase) {
    this(seed, inputSize, classes, targetClass, frequency, phase, 0);
  }

  /** Checks the ranges. */
  public WatermarkKey {
    if (inputSize <= 0) {
      throw new IllegalArgumentException("watermark key input-size must be > 0, got " + inputSize);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("watermark key classes must be ≥ 2, got " + classes);
    }
    if (targetClass < 0 || targetClass >= classes) {
      throw new IllegalArgumentException(
          "watermark key target-class must be in [0, " + classes + "), got " + targetClass);
    }
    if (!(frequency > 0) || Double.isInfinite(frequency)) {
      throw new IllegalArgumentException("watermark key frequency must be > 0, got " + frequency);
    }
    if (!Double.isFinite(phase)) {
      throw new IllegalArgumentException("watermark key phase must be finite, got " + phase);
    }
    if (grid < 0 || (grid > 0 && (side(inputSize) < 0 || grid > side(inputSize)))) {
      throw new IllegalArgumentException(
          "watermark key grid "
              + grid
              + " needs a square single-channel input of at least grid × grid values, got "
              + inputSize);
    }
  }

  /** A new key from a secure random source; target class and phase drawn uniformly. */
  public static WatermarkKey generate(int inputSize, int classes, double frequency, int grid) {
    SecureRandom random = new SecureRandom();
    return new WatermarkKey(
        random.nextLong(),
        inputSize,
        classes,
        random.nextInt(classes),
        frequency,
        random.nextDouble() * 2 * Math.PI,
        grid);
  }

  /** The unit projection direction of this key. */
  public float[] direction() {
    return direction(seed);
  }

  /**
   * The unit direction this key's kind derives from {@code seed}: uniform on the sphere of the
   * input (no grid) or of the grid's cells, spread over their pixels. The detector draws its null
   * directions with it.
   */
  float[] direction(long directionSeed) {
    SplittableRandom random = new SplittableRandom(directionSeed);
    int cells = grid == 0 ? inputSize : grid * grid;
    double[] w = new double[cells];
    for (int i = 0; i < cells; i++) {
      w[i] = gaussian(random);
    }
    double[] v = new double[inputSize];
    int side = grid == 0 ? 0 : side(inputSize);
    for (int i = 0; i < inputSize; i++) {
      v[i] = grid == 0 ? w[i] : w[((i / side) * grid / side) * grid + (i % side) * grid / side];
    }
    int size = inputSize;
    double norm = 0;
    for (int i = 0; i < size; i++) {
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    float[] unit = new float[size];
    for (int i = 0; i < size; i++) {
      unit[i] = (float) (v[i] / norm);
    }
    return unit;
  }

  /** The side of a square input, or -1. */
  private static int side(int inputSize) {
    int side = (int) Math.round(Math.sqrt(inputSize));
    return side * side == inputSize ? side : -1;
  }

  private static double gaussian(SplittableRandom random) {
    // Box–Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - random.nextDouble();
    double w = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }

  /** Writes the key to {@code file}, readable by its owner only where the file system allows. */
  public void write(Path file) throws IOException {
    KeyFile.writePrivate(file, format());
  }

  /** The key file's text. */
  public String format() {
    return String.format(
        Locale.ROOT,
        "%s%nseed=%d%ninput-size=%d%nclasses=%d%ntarget-class=%d%nfrequency=%s%nphase=%s%ngrid=%d%n",
        HEADER,
        seed,
        inputSize,
        classes,
        targetClass,
        Double.toString(frequency),
        Double.toString(phase),
        grid);
  }

  /** Reads a key file written by {@link #write}. */
  public static WatermarkKey read(Path file) throws IOException {
    return parse(KeyFile.read(file), file.toString());
  }

  /** Parses a key file's text. */
  public static WatermarkKey parse(String text) throws IOException {
    return parse(KeyFile.parse(text), "(text)");
  }

  private static WatermarkKey parse(Properties props, String where) throws IOException {
    try {
      return new WatermarkKey(
          Long.parseLong(KeyFile.required(props, "seed", where)),
          Integer.parseInt(KeyFile.required(props, "input-size", where)),
          Integer.parseInt(KeyFile.required(props, "classes", where)),
          Integer.parseInt(KeyFile.required(props, "target-class", where)),
          Double.parseDouble(KeyFile.required(props, "frequency", where)),
          Double.parseDouble(KeyFile.required(props, "phase", where)),
          Integer.parseInt(props.getProperty("grid", "0").trim()));
    } catch (IllegalArgumentException e) {
      throw new IOException("watermark key file " + where + " is invalid: " + e.getMessage(), e);
    }
  }

  /** Public facts only: the secret parts (seed, phase) stay out of logs. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "WatermarkKey[input-size=%d, classes=%d, secret]", inputSize, classes);
  }
}
