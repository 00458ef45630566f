package io.distillery.models.text;

import java.nio.charset.StandardCharsets;

/**
 * One text of a corpus: a novel, a file, a JSON-lines record.
 *
 * @param id stable id within its corpus (e.g. {@code persuasion}, {@code line-17})
 * @param text the text, as written (no normalisation)
 */
public record Document(String id, String text) {

  /** Checks that both parts are present. */
  public Document {
    if (id == null || text == null) {
      throw new IllegalArgumentException("a document needs an id and a text, got " + id);
    }
  }

  /** Size of the text in UTF-8, the denominator of bits per byte. */
  public long utf8Bytes() {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
