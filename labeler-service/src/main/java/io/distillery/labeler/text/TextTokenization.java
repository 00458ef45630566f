package io.distillery.labeler.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.distillery.models.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The teacher's tokenization as the labeler uses it: {@link TextTokenizer} (the one loader every
 * stage shares: vocabulary, end-of-text, sha256) plus the token spans the labeler needs to say
 * which bytes of a text each window covers. Both read the same file with the same options (no
 * special tokens added, no truncation, no padding), so the ids are the same.
 */
public final class TextTokenization implements AutoCloseable {

  private final TextTokenizer tokenizer;
  private final HuggingFaceTokenizer spans;

  private TextTokenization(TextTokenizer tokenizer, HuggingFaceTokenizer spans) {
    this.tokenizer = tokenizer;
    this.spans = spans;
  }

  /** Loads {@code tokenizer.json} (or a directory holding it) from a local path. */
  public static TextTokenization load(Path fileOrDir) throws IOException {
    TextTokenizer tokenizer = TextTokenizer.load(fileOrDir);
    try {
      HuggingFaceTokenizer spans =
          HuggingFaceTokenizer.newInstance(
              tokenizer.file(),
              Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new TextTokenization(tokenizer, spans);
    } catch (RuntimeException | IOException e) {
      tokenizer.close();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  /** Lower-case hex sha256 of the tokenizer.json: must equal the teacher card's. */
  public String sha256() {
    return tokenizer.sha256();
  }

  /** Number of token ids. */
  public int vocabSize() {
    return tokenizer.vocabSize();
  }

  /** The loaded file. */
  public Path file() {
    return tokenizer.file();
  }

  /** The tokens of {@code text} with their byte ranges in its UTF-8 encoding. */
  public TokenizedText tokenize(String text) {
    Encoding encoding = spans.encode(text, false, false);
    long[] ids = encoding.getIds();
    CharSpan[] charSpans = encoding.getCharTokenSpans();
    // The tokenizers library reports offsets in characters (code points); map them to bytes.
    int[] byteOfCodePoint = byteOffsetsOfCodePoints(text);
    int[] out = new int[ids.length];
    int[] starts = new int[ids.length];
    int[] ends = new int[ids.length];
    int previousEnd = 0;
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
      CharSpan span = i < charSpans.length ? charSpans[i] : null;
      if (span == null) {
        starts[i] = previousEnd;
        ends[i] = previousEnd;
      } else {
        starts[i] = byteOfCodePoint[clamp(span.getStart(), byteOfCodePoint.length - 1)];
        ends[i] = byteOfCodePoint[clamp(span.getEnd(), byteOfCodePoint.length - 1)];
      }
      previousEnd = ends[i];
    }
    return new TokenizedText(out, starts, ends);
  }

  private static int clamp(int value, int max) {
    return Math.max(0, Math.min(value, max));
  }

  /** For each code point index 0..n (inclusive), the UTF-8 byte offset where it starts. */
  private static int[] byteOffsetsOfCodePoints(String text) {
    int codePoints = text.codePointCount(0, text.length());
    int[] offsets = new int[codePoints + 1];
    int bytes = 0;
    int index = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      offsets[index++] = bytes;
      bytes += new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      i += Character.charCount(codePoint);
    }
    offsets[index] = bytes;
    return offsets;
  }

  @Override
  public void close() {
    spans.close();
    tokenizer.close();
  }
}
