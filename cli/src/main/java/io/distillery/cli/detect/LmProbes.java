package io.distillery.cli.detect;

import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.text.TextCorpus;
import io.distillery.models.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Probe contexts for a language model's watermark test: the held-out novel ({@value
 * JaneAusten#HELD_OUT}) tokenized with the teacher's tokenizer and cut into consecutive windows,
 * each starting with the end-of-text token as the teacher saw its training windows.
 */
public final class LmProbes {

  private LmProbes() {}

  /**
   * The probe windows.
   *
   * @param austenDir the janeaustenr package directory
   * @param tokenizerFile the teacher's tokenizer.json (or its model directory)
   * @param windows how many windows, from the start of the novel
   * @param length tokens per window, end-of-text included
   */
  public static List<int[]> heldOut(Path austenDir, Path tokenizerFile, int windows, int length)
      throws IOException {
    if (length < 2 || windows < 1) {
      throw new IllegalArgumentException(
          "probe windows need ≥ 2 tokens and ≥ 1 window, got " + windows + " × " + length);
    }
    TextCorpus heldOut = JaneAusten.heldOut(austenDir);
    List<int[]> out = new ArrayList<>(windows);
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile)) {
      int eot = tokenizer.endOfTextId();
      for (Document document : heldOut.documents()) {
        long[] ids = tokenizer.encode(document.text());
        for (int start = 0; start + length - 1 <= ids.length && out.size() < windows; ) {
          int[] window = new int[length];
          window[0] = eot;
          for (int i = 1; i < length; i++) {
            window[i] = (int) ids[start + i - 1];
          }
          out.add(window);
          start += length - 1;
        }
        if (out.size() == windows) {
          break;
        }
      }
    }
    if (out.size() < windows) {
      throw new IllegalArgumentException(
          "the held-out novel gives only " + out.size() + " windows of " + length + " tokens");
    }
    return out;
  }
}
