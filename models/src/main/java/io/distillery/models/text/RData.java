package io.distillery.models.text;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads R's serialization format (XDR, versions 2 and 3; what {@code saveRDS} and lazy-load
 * databases such as a package's {@code data/Rdata.rdb} hold), without R. Only the value types that
 * data packages use are supported: NULL, character, integer, logical and double vectors, lists,
 * pairlists (attributes) and symbols; anything else (closures, environments, bytecode) fails with
 * the type number.
 *
 * <p>Format, from R's {@code src/main/serialize.c}: a header {@code X\n}, the format version, the
 * writer's and the minimal reader's R version (plus the native encoding in version 3), then one
 * item. An item starts with a 32-bit flags word: the type in the low 8 bits, "is object" in bit 8,
 * "has attributes" in bit 9, "has tag" in bit 10 and the "levels" (for strings: the encoding) in
 * bits 12 and up. All integers are big-endian.
 */
public final class RData {
  private static final int NILSXP = 0;
  private static final int SYMSXP = 1;
  private static final int LISTSXP = 2;
  private static final int CHARSXP = 9;
  private static final int LGLSXP = 10;
  private static final int INTSXP = 13;
  private static final int REALSXP = 14;
  private static final int STRSXP = 16;
  private static final int VECSXP = 19;
  private static final int REFSXP = 255;
  private static final int NILVALUE_SXP = 254;
  private static final int GLOBALENV_SXP = 253;
  private static final int EMPTYENV_SXP = 242;
  private static final int BASEENV_SXP = 241;
  private static final int HAS_ATTR = 1 << 9;
  private static final int HAS_TAG = 1 << 10;
  // CHARSXP levels: the string's declared encoding.
  private static final int LATIN1_MASK = 1 << 2;
  private static final int BYTES_MASK = 1 << 1;

  /** R's NA_integer_. */
  public static final int NA_INTEGER = Integer.MIN_VALUE;

  /** A value read from a stream. */
  public sealed interface Value permits Null, Strings, Ints, Logicals, Doubles, ListValue, Symbol {
    /** Attributes by name, in order; empty if none. */
    default Map<String, Value> attributes() {
      return Map.of();
    }
  }

  /** R's NULL. */
  public record Null() implements Value {}

  /** A symbol (a name). */
  public record Symbol(String name) implements Value {}

  /**
   * A character vector; NA elements are {@code null}.
   *
   * @param values the strings
   * @param attributes attributes by name
   */
  public record Strings(List<String> values, Map<String, Value> attributes) implements Value {}

  /** An integer vector ({@link #NA_INTEGER} for NA). */
  public record Ints(int[] values, Map<String, Value> attributes) implements Value {}

  /** A logical vector: 0, 1 or {@link #NA_INTEGER}. */
  public record Logicals(int[] values, Map<String, Value> attributes) implements Value {}

  /** A double vector. */
  public record Doubles(double[] values, Map<String, Value> attributes) implements Value {}

  /**
   * A generic vector (R list) or a pairlist; {@link #names()} gives element names.
   *
   * @param values the elements
   * @param tags per-element tags of a pairlist (null entries when untagged); empty for a list
   * @param attributes attributes by name
   */
  public record ListValue(List<Value> values, List<String> tags, Map<String, Value> attributes)
      implements Value {

    /** Element names: the {@code names} attribute of a list, or the tags of a pairlist. */
    public List<String> names() {
      if (attributes.get("names") instanceof Strings names) {
        return names.values();
      }
      return tags;
    }

    /** The element named {@code name}, or {@code null}. */
    public Value get(String name) {
      int i = names().indexOf(name);
      return i < 0 ? null : values.get(i);
    }
  }

  private final DataInputStream in;
  private final List<Value> references = new ArrayList<>();
  private Charset nativeEncoding = StandardCharsets.UTF_8;

  private RData(InputStream in) {
    this.in = new DataInputStream(in);
  }

  /**
   * Reads one serialized value (already decompressed).
   *
   * @param bytes a serialization starting with {@code X\n}
   * @return the value
   * @throws IOException if the bytes are not an XDR serialization or hold an unsupported type
   */
  public static Value read(byte[] bytes) throws IOException {
    return read(new ByteArrayInputStream(bytes));
  }

  /** Reads one serialized value from a stream (already decompressed). */
  public static Value read(InputStream stream) throws IOException {
    RData reader = new RData(stream);
    reader.readHeader();
    return reader.item();
  }

  private void readHeader() throws IOException {
    int x = in.readUnsignedByte();
    int newline = in.readUnsignedByte();
    if (x != 'X' || newline != '\n') {
      throw new IOException(
          String.format(
              "not an XDR R serialization: header bytes 0x%02x 0x%02x, expected 'X\\n'",
              x, newline));
    }
    int version = in.readInt();
    in.readInt(); // R version that wrote it
    in.readInt(); // minimal R version to read it
    if (version == 3) {
      byte[] encoding = new byte[in.readInt()];
      in.readFully(encoding);
      String name = new String(encoding, StandardCharsets.US_ASCII);
      try {
        nativeEncoding = Charset.forName(name);
      } catch (RuntimeException e) {
        nativeEncoding = StandardCharsets.UTF_8;
      }
    } else if (version != 2) {
      throw new IOException("unsupported R serialization format version " + version);
    }
  }

  private Value item() throws IOException {
    int flags = in.readInt();
    int type = flags & 0xFF;
    boolean hasAttr = (flags & HAS_ATTR) != 0;
    switch (type) {
      case NILVALUE_SXP, NILSXP:
        return new Null();
      case GLOBALENV_SXP, EMPTYENV_SXP, BASEENV_SXP:
        return new Null(); // environments are not data; nothing we read refers into them
      case REFSXP:
        {
          int index = flags >>> 8;
          if (index == 0) {
            index = in.readInt();
          }
          if (index < 1 || index > references.size()) {
            throw new IOException("R serialization: reference " + index + " out of range");
          }
          return references.get(index - 1);
        }
      case SYMSXP:
        {
          Value printName = item();
          String name = printName instanceof Strings s ? s.values().get(0) : "";
          Symbol symbol = new Symbol(name);
          references.add(symbol);
          return symbol;
        }
      case LISTSXP:
        return pairList(flags);
      case CHARSXP:
        return new Strings(Arrays.asList(charsxp(flags)), Map.of());
      case STRSXP:
        {
          int n = length();
          List<String> values = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            int elementFlags = in.readInt();
            if ((elementFlags & 0xFF) != CHARSXP) {
              throw new IOException(
                  "R serialization: element "
                      + i
                      + " of a character vector has type "
                      + (elementFlags & 0xFF));
            }
            values.add(charsxp(elementFlags));
          }
          return new Strings(values, attributes(hasAttr));
        }
      case INTSXP, LGLSXP:
        {
          int[] values = new int[length()];
          for (int i = 0; i < values.length; i++) {
            values[i] = in.readInt();
          }
          Map<String, Value> attrs = attributes(hasAttr);
          return type == INTSXP ? new Ints(values, attrs) : new Logicals(values, attrs);
        }
      case REALSXP:
        {
          double[] values = new double[length()];
          for (int i = 0; i < values.length; i++) {
            values[i] = in.readDouble();
          }
          return new Doubles(values, attributes(hasAttr));
        }
      case VECSXP:
        {
          int n = length();
          List<Value> values = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            values.add(item());
          }
          return new ListValue(values, List.of(), attributes(hasAttr));
        }
      default:
        throw new IOException(
            "R serialization: unsupported type "
                + type
                + " (only data vectors, lists and symbols are read)");
    }
  }

  /** A pairlist, read iteratively along its CDR chain. */
  private Value pairList(int firstFlags) throws IOException {
    List<Value> values = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    Map<String, Value> attributes = Map.of();
    int flags = firstFlags;
    while (true) {
      if ((flags & HAS_ATTR) != 0) {
        Map<String, Value> own = toAttributes(item());
        if (values.isEmpty()) {
          attributes = own;
        }
      }
      String tag = null;
      if ((flags & HAS_TAG) != 0) {
        Value t = item();
        tag = t instanceof Symbol s ? s.name() : null;
      }
      tags.add(tag);
      values.add(item());
      flags = in.readInt();
      int type = flags & 0xFF;
      if (type == NILVALUE_SXP || type == NILSXP) {
        return new ListValue(values, tags, attributes);
      }
      if (type != LISTSXP) {
        throw new IOException("R serialization: pairlist continues with type " + type);
      }
    }
  }

  private Map<String, Value> attributes(boolean hasAttr) throws IOException {
    return hasAttr ? toAttributes(item()) : Map.of();
  }

  private static Map<String, Value> toAttributes(Value value) throws IOException {
    if (!(value instanceof ListValue list)) {
      throw new IOException("R serialization: attributes are not a pairlist");
    }
    Map<String, Value> map = new LinkedHashMap<>();
    for (int i = 0; i < list.values().size(); i++) {
      map.put(list.tags().get(i), list.values().get(i));
    }
    return map;
  }

  private String charsxp(int flags) throws IOException {
    int length = in.readInt();
    if (length == -1) {
      return null; // NA_character_
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    int levels = flags >>> 12;
    if ((levels & LATIN1_MASK) != 0) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    if ((levels & BYTES_MASK) != 0) {
      return new String(bytes, StandardCharsets.ISO_8859_1); // raw bytes, one char each
    }
    // UTF-8 flagged, ASCII, or "native" (unflagged): the writer's native encoding.
    return new String(bytes, (levels & (1 << 3)) != 0 ? StandardCharsets.UTF_8 : nativeEncoding);
  }

  private int length() throws IOException {
    int n = in.readInt();
    if (n == -1) {
      long upper = in.readInt() & 0xFFFFFFFFL;
      long lower = in.readInt() & 0xFFFFFFFFL;
      long total = (upper << 32) | lower;
      if (total > Integer.MAX_VALUE) {
        throw new IOException("R serialization: vector of " + total + " elements is too long");
      }
      return (int) total;
    }
    if (n < 0) {
      throw new EOFException("R serialization: negative length " + n);
    }
    return n;
  }
}
