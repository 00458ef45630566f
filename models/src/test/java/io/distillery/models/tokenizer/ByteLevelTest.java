package io.distillery.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelTest {

  @Test
  void mapsBytesLikeGpt2() {
    assertEquals('Ġ', ByteLevel.byteToChar(' '));
    assertEquals('Ċ', ByteLevel.byteToChar('\n'));
    assertEquals('a', ByteLevel.byteToChar('a'));
    assertEquals('!', ByteLevel.byteToChar('!'));
    assertEquals('Ā', ByteLevel.byteToChar(0));
    assertEquals('Ń', ByteLevel.byteToChar(0xAD)); // the soft hyphen is not printable: 256 + 67
    Set<Character> chars = new HashSet<>();
    for (int b = 0; b < 256; b++) {
      chars.add(ByteLevel.byteToChar(b));
      assertEquals(b, ByteLevel.charToByte(ByteLevel.byteToChar(b)));
    }
    assertEquals(256, chars.size());
  }

  @Test
  void splitsLikeGpt2sRegex() {
    assertEquals(
        List.of("Hello", ",", " world", "'s", " 12", "th", "  ", " end", "!", "\n\n"),
        ByteLevel.split("Hello, world's 12th   end!\n\n"));
    assertEquals(
        List.of("I", "'ll", " say", " \"", "no", ".\"", " "), ByteLevel.split("I'll say \"no.\" "));
    assertEquals(List.of("Ça", " va", "?"), ByteLevel.split("Ça va?"));
    assertEquals(List.of("a", "\u00a0", "b"), ByteLevel.split("a\u00a0b")); // NBSP is whitespace
  }

  @Test
  void byteCharsRoundTrip() {
    String text = "£20,000 — naïve 😀\t\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteLevel.appendBytes(ByteLevel.toByteChars(text), out);
    assertEquals(text, out.toString(StandardCharsets.UTF_8));
  }
}
