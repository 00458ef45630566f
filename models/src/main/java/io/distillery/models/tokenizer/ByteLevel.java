package io.distillery.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level pre-tokenization, exactly as Hugging Face tokenizers' {@code ByteLevel}
 * pre-tokenizer does it with {@code use_regex: true} and {@code add_prefix_space: false}: the text
 * is split by GPT-2's regex (contractions, runs of letters, of digits, of other symbols, each with
 * at most one leading space; whitespace), then every UTF-8 byte of a piece becomes one printable
 * character ({@link #byteToChar}), so a vocabulary of 256 characters covers any text.
 */
public final class ByteLevel {

  /**
   * GPT-2's pre-tokenizer regex. {@code \s} must be Unicode's White_Space (as in Oniguruma, which
   * tokenizers uses), hence {@link Pattern#UNICODE_CHARACTER_CLASS}.
   */
  public static final Pattern GPT2_SPLIT =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
          Pattern.UNICODE_CHARACTER_CLASS);

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    // GPT-2's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the other 68 bytes
    // to U+0100 and up, in byte order.
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      char c = printable ? (char) b : (char) (256 + next++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** The printable character standing for byte {@code b} (0-255). */
  public static char byteToChar(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte a character of a byte-level token stands for, or -1. */
  public static int charToByte(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** Splits text into GPT-2 pre-tokens (original text, not yet byte-mapped). */
  public static List<String> split(String text) {
    List<String> pieces = new ArrayList<>();
    Matcher m = GPT2_SPLIT.matcher(text);
    int end = 0;
    while (m.find()) {
      if (m.start() > end) {
        pieces.add(text.substring(end, m.start())); // never happens: the regex covers every char
      }
      pieces.add(m.group());
      end = m.end();
    }
    if (end < text.length()) {
      pieces.add(text.substring(end));
    }
    return pieces;
  }

  /** A piece of text as byte-level characters: one character per UTF-8 byte. */
  public static String toByteChars(String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    char[] chars = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(chars);
  }

  /**
   * Appends the bytes that byte-level characters stand for.
   *
   * @throws IllegalArgumentException for a character outside the 256
   */
  public static void appendBytes(String byteChars, ByteArrayOutputStream out) {
    for (int i = 0; i < byteChars.length(); i++) {
      int b = charToByte(byteChars.charAt(i));
      if (b < 0) {
        throw new IllegalArgumentException(
            "not a byte-level character: U+" + Integer.toHexString(byteChars.charAt(i)));
      }
      out.write(b);
    }
  }
}
