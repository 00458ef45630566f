package io.distillery.proto.codec;

import io.distillery.proto.v1.SparseDistribution;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compact encoding of sparse top-k distributions for {@code SoftLabelEvent.distributions}; {@code
 * SoftLabelEvent.distributions_format} names the format.
 *
 * <p>Both formats, per position: a varint entry count n; n ids in ascending order as varints, the
 * first absolute and each next one as the gap minus one; the log-probabilities in the same order;
 * the fp16 tail mass.
 *
 * <ul>
 *   <li>{@link Format#FP16} (1): n fp16 log-probabilities. Ten classes at k = 10 take 33 bytes;
 *       eight entries of a 256-token vocabulary about 27 bytes (int32 ids with fp32 log-probs: 68).
 *       The fp16 rounding is below 0.1% relative.
 *   <li>{@link Format#QUANTIZED} (2): the position's largest log-probability as fp16, then one byte
 *       per entry: its distance below that, in steps of {@value #QUANTIZED_RANGE}/255 nats (clamped
 *       at {@value #QUANTIZED_RANGE} nats, e^-16 ≈ 1e-7 of the top entry). About 2.2 bytes per kept
 *       entry at k = 16 over 512 tokens (format 1: 3.3); the rounding of at most half a step costs
 *       KL(original ‖ decoded) of order 1e-4 nats per position (SparseCodecTest measures it).
 * </ul>
 *
 * <p>Decoding restores the most-probable-first order of {@link SparseDistribution} (ties by id).
 */
public final class SparseCodec {

  /** The encodings of {@code SoftLabelEvent.distributions}. */
  public enum Format {
    /** fp16 log-probabilities (field value 0 or 1). */
    FP16(1),
    /** log-probabilities quantised to a byte below each position's largest (field value 2). */
    QUANTIZED(2);

    private final int number;

    Format(int number) {
      this.number = number;
    }

    /** The value of {@code SoftLabelEvent.distributions_format}. */
    public int number() {
      return number;
    }

    /**
     * The format a {@code distributions_format} value names (0, written before the field existed,
     * is format 1).
     *
     * @throws IllegalArgumentException for a value no version wrote
     */
    public static Format of(int number) {
      return switch (number) {
        case 0, 1 -> FP16;
        case 2 -> QUANTIZED;
        default ->
            throw new IllegalArgumentException(
                "distributions_format " + number + " is unknown (1 = fp16, 2 = quantized)");
      };
    }
  }

  /** Distances below a position's largest log-probability are stored up to this many nats. */
  static final float QUANTIZED_RANGE = 16f;

  private static final float QUANTIZED_STEP = QUANTIZED_RANGE / 255f;
  private static final float MAX_LOG_PROB_ROUNDING = 1e-4f;
  private static final int MIN_BYTES_PER_POSITION = 3;

  private SparseCodec() {}

  /**
   * Encodes the distributions of all positions of one sample in format 1 (fp16).
   *
   * @throws IllegalArgumentException naming the position and field when a distribution is invalid
   */
  public static byte[] encode(List<SparseDistribution> positions) {
    return encode(positions, Format.FP16);
  }

  /**
   * Encodes the distributions of all positions of one sample.
   *
   * @throws IllegalArgumentException naming the position and field when a distribution is invalid
   */
  public static byte[] encode(List<SparseDistribution> positions, Format format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(positions.size() * 32);
    for (int p = 0; p < positions.size(); p++) {
      SparseDistribution distribution = positions.get(p);
      int n = distribution.getIdsCount();
      if (distribution.getLogProbsCount() != n) {
        throw new IllegalArgumentException(
            "position "
                + p
                + ": "
                + n
                + " ids but "
                + distribution.getLogProbsCount()
                + " log_probs; they must pair up");
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
        checkEntry(p, distribution.getIds(i), distribution.getLogProbs(i));
      }
      Arrays.sort(order, (a, b) -> Integer.compare(distribution.getIds(a), distribution.getIds(b)));
      writeVarint(out, n);
      int previous = -1;
      for (int i = 0; i < n; i++) {
        int id = distribution.getIds(order[i]);
        if (id == previous) {
          throw new IllegalArgumentException("position " + p + ": id " + id + " appears twice");
        }
        writeVarint(out, previous < 0 ? id : id - previous - 1);
        previous = id;
      }
      if (format == Format.FP16) {
        for (int i = 0; i < n; i++) {
          writeFp16(out, Math.min(0f, distribution.getLogProbs(order[i])));
        }
      } else {
        writeQuantized(out, distribution, order);
      }
      float tail = distribution.getTailMass();
      if (!(tail >= 0f && tail <= 1f)) {
        throw new IllegalArgumentException(
            "position " + p + ": tail_mass " + tail + " is outside [0, 1]");
      }
      writeFp16(out, tail);
    }
    return out.toByteArray();
  }

  /**
   * Decodes {@code positions} distributions. Whatever the bytes, the result holds only what {@link
   * #encode} can write: distinct non-negative ids, log-probabilities at most 0 (minus infinity
   * allowed, NaN not) and a tail mass in [0, 1].
   *
   * @throws IllegalArgumentException when the bytes are truncated, too long, not this format or
   *     hold values no distribution has, or {@code positions} cannot fit in them
   */
  public static List<SparseDistribution> decode(byte[] data, int positions) {
    return decode(data, positions, Format.FP16);
  }

  /**
   * Decodes {@code positions} distributions of the given format, with the guarantees of {@link
   * #decode(byte[], int)}.
   *
   * @throws IllegalArgumentException when the bytes are truncated, too long, not this format or
   *     hold values no distribution has, or {@code positions} cannot fit in them
   */
  public static List<SparseDistribution> decode(byte[] data, int positions, Format format) {
    // Every position takes at least 3 bytes (its count and its tail): a hostile count must not
    // size an allocation.
    if (positions < 0 || positions > data.length / MIN_BYTES_PER_POSITION) {
      throw new IllegalArgumentException(
          "impossible position count "
              + positions
              + " for "
              + data.length
              + " bytes (each position takes at least "
              + MIN_BYTES_PER_POSITION
              + ")");
    }
    Reader in = new Reader(data);
    List<SparseDistribution> result = new ArrayList<>(positions);
    for (int p = 0; p < positions; p++) {
      int n = in.varint(p);
      if (n < 0 || n > data.length) {
        throw new IllegalArgumentException("position " + p + ": impossible entry count " + n);
      }
      int[] ids = new int[n];
      long previous = -1;
      for (int i = 0; i < n; i++) {
        long gap = Integer.toUnsignedLong(in.varint(p));
        long id = previous < 0 ? gap : previous + gap + 1;
        if (id > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "position " + p + ": id " + id + " of entry " + i + " is beyond the int range");
        }
        ids[i] = (int) id;
        previous = id;
      }
      float[] logProbs = format == Format.FP16 ? fp16LogProbs(in, p, n) : quantized(in, p, n);
      for (int i = 0; i < n; i++) {
        if (!(logProbs[i] <= 0f)) {
          throw new IllegalArgumentException(
              "position " + p + ": log_prob " + logProbs[i] + " of id " + ids[i] + " is not <= 0");
        }
      }
      float tail = in.fp16(p);
      if (!(tail >= 0f && tail <= 1f)) {
        throw new IllegalArgumentException(
            "position " + p + ": tail_mass " + tail + " is outside [0, 1]");
      }
      result.add(mostProbableFirst(ids, logProbs, tail));
    }
    if (in.position != data.length) {
      throw new IllegalArgumentException(
          (data.length - in.position)
              + " bytes left after "
              + positions
              + " positions; the position count does not match the data");
    }
    return result;
  }

  private static float[] fp16LogProbs(Reader in, int position, int n) {
    float[] logProbs = new float[n];
    for (int i = 0; i < n; i++) {
      logProbs[i] = in.fp16(position);
    }
    return logProbs;
  }

  private static float[] quantized(Reader in, int position, int n) {
    float[] logProbs = new float[n];
    if (n == 0) {
      return logProbs;
    }
    float reference = in.fp16(position);
    if (!(reference <= 0f) || Float.isInfinite(reference)) {
      throw new IllegalArgumentException(
          "position " + position + ": largest log_prob " + reference + " is not finite and <= 0");
    }
    for (int i = 0; i < n; i++) {
      logProbs[i] = reference - in.next(position) * QUANTIZED_STEP;
    }
    return logProbs;
  }

  /** The position's largest log-probability (fp16), then a byte per entry below it. */
  private static void writeQuantized(
      ByteArrayOutputStream out, SparseDistribution distribution, Integer[] order) {
    if (order.length == 0) {
      return;
    }
    float max = Float.NEGATIVE_INFINITY;
    for (Integer index : order) {
      max = Math.max(max, Math.min(0f, distribution.getLogProbs(index)));
    }
    // Distances from the reference as decoded (fp16), so the rounding is not counted twice; a
    // certain-zero position (all -inf) has reference -65504, the lowest finite fp16.
    float reference = Fp16.toFloat(Fp16.fromFloat(Math.max(max, -65504f)));
    writeFp16(out, reference);
    for (Integer index : order) {
      float distance = reference - Math.min(0f, distribution.getLogProbs(index));
      int code = Math.round(Math.max(0f, distance) / QUANTIZED_STEP);
      out.write(Math.min(code, 255));
    }
  }

  private static SparseDistribution mostProbableFirst(int[] ids, float[] logProbs, float tail) {
    Integer[] order = new Integer[ids.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int byProb = Float.compare(logProbs[b], logProbs[a]);
          return byProb != 0 ? byProb : Integer.compare(ids[a], ids[b]);
        });
    SparseDistribution.Builder builder = SparseDistribution.newBuilder().setTailMass(tail);
    for (int index : order) {
      builder.addIds(ids[index]).addLogProbs(logProbs[index]);
    }
    return builder.build();
  }

  private static void checkEntry(int position, int id, float logProb) {
    if (id < 0) {
      throw new IllegalArgumentException("position " + position + ": negative id " + id);
    }
    // A softmax computed in float can land a hair above 0 for a near-certain class.
    if (!(logProb <= MAX_LOG_PROB_ROUNDING)) {
      throw new IllegalArgumentException(
          "position " + position + ": log_prob " + logProb + " of id " + id + " is not <= 0");
    }
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    int v = value;
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  private static void writeFp16(ByteArrayOutputStream out, float value) {
    short half = Fp16.fromFloat(value);
    out.write(half & 0xff);
    out.write((half >>> 8) & 0xff);
  }

  /** A cursor over the encoded bytes with errors that say where the data ran out. */
  private static final class Reader {
    private final byte[] data;
    private int position;

    Reader(byte[] data) {
      this.data = data;
    }

    int varint(int distribution) {
      int result = 0;
      for (int shift = 0; shift < 32; shift += 7) {
        int b = next(distribution);
        result |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalArgumentException(
          "position " + distribution + ": varint longer than 5 bytes at byte " + position);
    }

    float fp16(int distribution) {
      int low = next(distribution);
      int high = next(distribution);
      return Fp16.toFloat((short) (low | (high << 8)));
    }

    int next(int distribution) {
      if (position >= data.length) {
        throw new IllegalArgumentException(
            "truncated: data ends at byte " + data.length + " inside position " + distribution);
      }
      return data[position++] & 0xff;
    }
  }
}
