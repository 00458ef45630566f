package io.distillery.cli.produce;

import io.distillery.models.text.Document;
import io.distillery.models.text.TextCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cuts a corpus into text prompts: a plain text file into one prompt per paragraph (text between
 * blank lines, kept verbatim), a JSON Lines file ({@code .jsonl}, {@code .ndjson}) into one prompt
 * per line's {@code text}. The labeler tokenizes each prompt with the teacher's tokenizer and cuts
 * one longer than the teacher's context into windows.
 */
public final class TextPrompts {

  private static final Pattern BLANK_LINES = Pattern.compile("\\R[ \\t]*\\R(?:[ \\t]*\\R)*");

  private TextPrompts() {}

  /**
   * The prompts of a corpus file.
   *
   * @return for a JSON Lines file its documents (id from the line's {@code id}, else {@code
   *     line-N}); for a text file its paragraphs with ids {@code <file name>-<n>} (1-based)
   * @throws IOException if the file cannot be read, is not UTF-8 or a JSON line has no text
   */
  public static List<Document> ofFile(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return TextCorpus.jsonLines(file).documents().stream()
          .filter(d -> !d.text().isEmpty())
          .toList();
    }
    return paragraphs(TextCorpus.textFile(file).documents());
  }

  /** Every paragraph of every document, ids {@code <document id>-<n>} (1-based per document). */
  public static List<Document> paragraphs(List<Document> documents) {
    List<Document> prompts = new ArrayList<>();
    for (Document document : documents) {
      int n = 0;
      for (String paragraph : BLANK_LINES.split(document.text())) {
        String text = paragraph.strip();
        if (!text.isEmpty()) {
          prompts.add(new Document(document.id() + "-" + ++n, text));
        }
      }
    }
    return prompts;
  }
}
