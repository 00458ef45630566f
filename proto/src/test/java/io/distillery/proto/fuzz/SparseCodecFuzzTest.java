package io.distillery.proto.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.SparseDistribution;
import java.util.Arrays;
import java.util.List;

/**
 * {@link SparseCodec#decode} reads the {@code distributions} bytes of any soft label on the log: it
 * either returns distributions a loss can use (ids distinct and non-negative, log-probabilities
 * finite-or-minus-infinity and at most 0, tail mass in [0, 1]) or throws {@link
 * IllegalArgumentException}; nothing else, and no allocation beyond the input's size.
 */
class SparseCodecFuzzTest {

  /** First two bytes: the position count (big-endian, unsigned); the rest: the encoded data. */
  @FuzzTest
  void anyBytesDecodeToUsableDistributionsOrAnIllegalArgument(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int positions = ((input[0] & 0xff) << 8) | (input[1] & 0xff);
    assertDecodesOrRejects(Arrays.copyOfRange(input, 2, input.length), positions);
  }

  /** The same in the quantized format (2): first byte the position count, the rest the data. */
  @FuzzTest
  void anyBytesDecodeInTheQuantizedFormatToUsableDistributionsOrAnIllegalArgument(byte[] input) {
    if (input.length < 1) {
      return;
    }
    assertDecodesOrRejects(
        Arrays.copyOfRange(input, 1, input.length),
        input[0] & 0xff,
        SparseCodec.Format.QUANTIZED.number());
  }

  /** Position counts from the whole int range, as a hostile {@code positions} field holds them. */
  @FuzzTest
  void anyPositionCountIsCheckedAgainstTheData(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int positions =
        ((input[0] & 0xff) << 24)
            | ((input[1] & 0xff) << 16)
            | ((input[2] & 0xff) << 8)
            | (input[3] & 0xff);
    assertDecodesOrRejects(Arrays.copyOfRange(input, 4, input.length), positions);
  }

  static void assertDecodesOrRejects(byte[] data, int positions) {
    assertDecodesOrRejects(data, positions, SparseCodec.Format.FP16.number());
  }

  /** Any {@code format} field value: an unknown one is rejected like bad data. */
  static void assertDecodesOrRejects(byte[] data, int positions, int format) {
    List<SparseDistribution> decoded;
    try {
      decoded = SparseCodec.decode(data, positions, SparseCodec.Format.of(format));
    } catch (IllegalArgumentException rejected) {
      return;
    }
    assertEquals(positions, decoded.size(), "one distribution per position");
    for (SparseDistribution distribution : decoded) {
      assertUsable(distribution);
    }
  }

  /** What every decoded distribution must satisfy. */
  static void assertUsable(SparseDistribution distribution) {
    float tail = distribution.getTailMass();
    assertTrue(tail >= 0f && tail <= 1f, "tail mass in [0, 1]: " + tail);
    assertEquals(distribution.getIdsCount(), distribution.getLogProbsCount(), "pairs");
    int[] ids = distribution.getIdsList().stream().mapToInt(Integer::intValue).sorted().toArray();
    for (int i = 0; i < ids.length; i++) {
      assertTrue(ids[i] >= 0, "non-negative id " + ids[i]);
      assertTrue(
          i == 0 || ids[i] > ids[i - 1], "ids strictly increasing once sorted: " + distribution);
    }
    for (float logProb : distribution.getLogProbsList()) {
      assertTrue(logProb <= 0f, "log-probability <= 0 (not NaN): " + logProb);
    }
  }
}
