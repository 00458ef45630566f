package io.distillery.models.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R's XDR serialization, written here byte by byte as R's serialize.c does. */
class RDataTest {
  private static final int HAS_ATTR = 1 << 9;
  private static final int HAS_TAG = 1 << 10;
  private static final int UTF8 = 1 << 3 << 12;
  private static final int LATIN1 = 1 << 2 << 12;
  private static final int ASCII = 1 << 6 << 12;

  @Test
  void readsACharacterVectorWithEncodingsAndNa() throws IOException {
    Xdr x = Xdr.header(3);
    x.i(16).i(4); // STRSXP of 4
    x.chars(ASCII, "Persuasion".getBytes(StandardCharsets.US_ASCII));
    x.chars(UTF8, "her £20,000".getBytes(StandardCharsets.UTF_8));
    x.chars(LATIN1, "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    x.i(9).i(-1); // NA_character_
    RData.Strings strings = assertInstanceOf(RData.Strings.class, RData.read(x.bytes()));
    assertEquals(Arrays.asList("Persuasion", "her £20,000", "café", null), strings.values());
  }

  @Test
  void readsANamedListOfIntegerVectorsLikeALazyLoadIndex() throws IOException {
    Xdr x = Xdr.header(2);
    x.i(19 | HAS_ATTR).i(2); // VECSXP of 2 with attributes
    x.i(13).i(2).i(0).i(352043); // INTSXP c(0, 352043)
    x.i(13).i(2).i(352043).i(351373);
    x.i(2 | HAS_TAG); // attributes: pairlist(names = c("emma", "mansfieldpark"))
    x.i(1).chars(ASCII, "names".getBytes(StandardCharsets.US_ASCII)); // SYMSXP
    x.i(16).i(2).chars(ASCII, bytes("emma")).chars(ASCII, bytes("mansfieldpark"));
    x.i(254); // end of pairlist
    RData.ListValue list = assertInstanceOf(RData.ListValue.class, RData.read(x.bytes()));
    assertEquals(List.of("emma", "mansfieldpark"), list.names());
    RData.Ints mansfield = assertInstanceOf(RData.Ints.class, list.get("mansfieldpark"));
    assertArrayEquals(new int[] {352043, 351373}, mansfield.values());
    assertNull(list.get("persuasion"));
  }

  @Test
  void resolvesReferencesToEarlierSymbols() throws IOException {
    Xdr x = Xdr.header(2);
    x.i(19).i(2); // list(a = pairlist tagged "k", b = pairlist tagged with a reference to "k")
    x.i(2 | HAS_TAG).i(1).chars(ASCII, bytes("k")).i(10).i(1).i(1).i(254); // k = TRUE
    x.i(2 | HAS_TAG).i((1 << 8) | 255).i(14).i(1).d(2.5).i(254); // REFSXP #1 = 2.5
    RData.ListValue list = assertInstanceOf(RData.ListValue.class, RData.read(x.bytes()));
    RData.ListValue first = (RData.ListValue) list.values().get(0);
    RData.ListValue second = (RData.ListValue) list.values().get(1);
    assertEquals(List.of("k"), first.tags());
    assertEquals(List.of("k"), second.tags());
    assertArrayEquals(new int[] {1}, ((RData.Logicals) first.values().get(0)).values());
    assertEquals(2.5, ((RData.Doubles) second.values().get(0)).values()[0]);
  }

  @Test
  void rejectsWhatIsNotAnXdrSerialization() {
    IOException e =
        assertThrows(
            IOException.class, () -> RData.read("A\n1234".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("expected 'X\\n'"), e.getMessage());
  }

  @Test
  void namesTheTypeItCannotRead() throws IOException {
    Xdr x = Xdr.header(2);
    x.i(3); // CLOSXP
    IOException e = assertThrows(IOException.class, () -> RData.read(x.bytes()));
    assertTrue(e.getMessage().contains("unsupported type 3"), e.getMessage());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A big-endian writer with R's header. */
  private static final class Xdr {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    static Xdr header(int version) throws IOException {
      Xdr x = new Xdr();
      x.out.writeBytes("X\n");
      x.i(version).i(0x040202).i(0x020300);
      if (version == 3) {
        x.i(5);
        x.out.writeBytes("UTF-8");
      }
      return x;
    }

    Xdr i(int v) throws IOException {
      out.writeInt(v);
      return this;
    }

    Xdr d(double v) throws IOException {
      out.writeDouble(v);
      return this;
    }

    Xdr chars(int levels, byte[] value) throws IOException {
      i(9 | levels).i(value.length);
      out.write(value);
      return this;
    }

    byte[] bytes() {
      return bytes.toByteArray();
    }
  }
}
