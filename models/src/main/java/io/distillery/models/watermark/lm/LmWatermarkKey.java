package io.distillery.models.watermark.lm;

import io.distillery.models.watermark.KeyFile;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The secret of a language model's watermark (GINSEW-style, He et al., ICML 2023): a split of the
 * vocabulary into two equal groups and a keyed hash of each position's context (its last {@code
 * context} tokens) to {@code t ∈ [0, 1)}, both derived from {@code seed}, and the frequency and
 * phase of the signal {@code cos(2π·frequency·t + phase)} planted in the next-token distribution's
 * group-1 mass. Never logged ({@link #toString} hides it) and never sent.
 *
 * @param seed derives the vocabulary split and the context hash
 * @param vocabSize the teacher's vocabulary
 * @param frequency cycles over t's range [0, 1)
 * @param phase radians
 * @param context tokens of context hashed into t (1: the position's own token)
 */
public record LmWatermarkKey(
    long seed, int vocabSize, double frequency, double phase, int context) {

  /** The first line of an LM key file. */
  public static final String HEADER =
      "# distillery causal-lm watermark key v1 — SECRET, keep it like a private key";

  /** The {@code kind} line that tells an LM key file from a classifier's. */
  public static final String KIND = "causal-lm";

  /** Default frequency: one cycle over t's range; t is a hash, so any frequency spreads alike. */
  public static final double DEFAULT_FREQUENCY = 1.0;

  /**
   * Default context: the position's own token. A student learns a signal keyed on the last token as
   * a per-token bias of its output — the easiest function for it to pick up.
   */
  public static final int DEFAULT_CONTEXT = 1;

  /** Checks the ranges. */
  public LmWatermarkKey {
    if (vocabSize < 2) {
      throw new IllegalArgumentException(
          "LM watermark key vocab-size must be ≥ 2, got " + vocabSize);
    }
    if (!(frequency > 0) || Double.isInfinite(frequency)) {
      throw new IllegalArgumentException(
          "LM watermark key frequency must be > 0, got " + frequency);
    }
    if (!Double.isFinite(phase)) {
      throw new IllegalArgumentException("LM watermark key phase must be finite, got " + phase);
    }
    if (context < 1) {
      throw new IllegalArgumentException("LM watermark key context must be ≥ 1, got " + context);
    }
  }

  /** A new key from a secure random source; phase drawn uniformly. */
  public static LmWatermarkKey generate(int vocabSize, double frequency, int context) {
    SecureRandom random = new SecureRandom();
    return new LmWatermarkKey(
        random.nextLong(), vocabSize, frequency, random.nextDouble() * 2 * Math.PI, context);
  }

  /** The same kind of key with another seed: the detector's null keys. */
  public LmWatermarkKey withSeed(long otherSeed) {
    return new LmWatermarkKey(otherSeed, vocabSize, frequency, phase, context);
  }

  /**
   * Group membership of every token: exactly ⌊V/2⌋ tokens are in group 1, a uniformly random half
   * drawn from the seed.
   */
  public boolean[] groupOne() {
    int[] order = new int[vocabSize];
    for (int i = 0; i < vocabSize; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(mix(seed ^ 0x6A09E667F3BCC909L));
    for (int i = vocabSize - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    boolean[] one = new boolean[vocabSize];
    for (int i = 0; i < vocabSize / 2; i++) {
      one[order[i]] = true;
    }
    return one;
  }

  /**
   * The keyed hash of the context of {@code position}: tokens {@code ids[position − context + 1 ..
   * position]} (fewer at the start), mapped to {@code [0, 1)}.
   */
  public double hash(int[] ids, int position) {
    long h = mix(seed ^ 0xBB67AE8584CAA73BL);
    for (int i = Math.max(0, position - context + 1); i <= position; i++) {
      h = mix(h ^ ((ids[i] + 1L) * 0x9E3779B97F4A7C15L));
    }
    return (mix(h) >>> 11) * 0x1.0p-53;
  }

  /** The signal {@code cos(2π·frequency·t + phase)}. */
  public double signal(double t) {
    return Math.cos(2 * Math.PI * frequency * t + phase);
  }

  private static long mix(long z) {
    // SplitMix64's finaliser: a bijection that spreads every input bit.
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Writes the key to {@code file}, readable by its owner only where the file system allows. */
  public void write(Path file) throws IOException {
    KeyFile.writePrivate(file, format());
  }

  /** The key file's text. */
  public String format() {
    return String.format(
        Locale.ROOT,
        "%s%nkind=%s%nseed=%d%nvocab-size=%d%nfrequency=%s%nphase=%s%ncontext=%d%n",
        HEADER,
        KIND,
        seed,
        vocabSize,
        Double.toString(frequency),
        Double.toString(phase),
        context);
  }

  /** Whether {@code file} holds an LM key (its {@code kind} is {@value #KIND}). */
  public static boolean isLmKey(Path file) throws IOException {
    return KIND.equals(KeyFile.read(file).getProperty("kind", "").trim());
  }

  /** Reads a key file written by {@link #write}. */
  public static LmWatermarkKey read(Path file) throws IOException {
    return parse(KeyFile.read(file), file.toString());
  }

  /** Parses a key file's text. */
  public static LmWatermarkKey parse(String text) throws IOException {
    return parse(KeyFile.parse(text), "(text)");
  }

  private static LmWatermarkKey parse(Properties props, String where) throws IOException {
    String kind = props.getProperty("kind", "").trim();
    if (!KIND.equals(kind)) {
      throw new IOException(
          "watermark key file "
              + where
              + " is not a causal-lm key (kind="
              + (kind.isEmpty() ? "none: a classifier key" : kind)
              + "); create one with 'distillery teacher watermark-key --track lm'");
    }
    try {
      return new LmWatermarkKey(
          Long.parseLong(KeyFile.required(props, "seed", where)),
          Integer.parseInt(KeyFile.required(props, "vocab-size", where)),
          Double.parseDouble(KeyFile.required(props, "frequency", where)),
          Double.parseDouble(KeyFile.required(props, "phase", where)),
          Integer.parseInt(props.getProperty("context", "" + DEFAULT_CONTEXT).trim()));
    } catch (IllegalArgumentException e) {
      throw new IOException("watermark key file " + where + " is invalid: " + e.getMessage(), e);
    }
  }

  /** Public facts only: the secret parts (seed, phase) stay out of logs. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "LmWatermarkKey[vocab-size=%d, context=%d, secret]", vocabSize, context);
  }
}
