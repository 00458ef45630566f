package io.distillery.proto.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The floats of a packed {@code repeated float} field, read where they lie in a record's bytes
 * (protobuf writes them as little-endian IEEE 754), so they can be checked without being copied
 * into a list first.
 *
 * @param bytes the record
 * @param offset where the first float starts
 * @param count how many floats there are
 */
public record PackedFloats(byte[] bytes, int offset, int count) {

  private static final VarHandle LITTLE_ENDIAN_INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Exponent bits all set: infinity or NaN. */
  private static final int EXPONENT = 0x7f80_0000;

  public PackedFloats {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, count * 4, bytes.length);
  }

  /** Float {@code index}. */
  public float get(int index) {
    Objects.checkIndex(index, count);
    return Float.intBitsToFloat((int) LITTLE_ENDIAN_INTS.get(bytes, offset + 4 * index));
  }

  /** The index of the first NaN or infinite value, or -1 when every value is finite. */
  public int firstNonFinite() {
    for (int i = 0, at = offset; i < count; i++, at += 4) {
      if (((int) LITTLE_ENDIAN_INTS.get(bytes, at) & EXPONENT) == EXPONENT) {
        return i;
      }
    }
    return -1;
  }
}
