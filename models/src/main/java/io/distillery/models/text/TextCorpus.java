package io.distillery.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A named list of documents: what a tokenizer and a language model train or are evaluated on.
 * Readers: any UTF-8 text file (one document), a JSON-lines file ({@code {"text": ...}} per line,
 * optional {@code "id"}) and the Jane Austen novels ({@link JaneAusten}).
 *
 * @param name where the corpus came from, for cards and logs
 * @param documents the documents, in order
 */
public record TextCorpus(String name, List<Document> documents) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the list. */
  public TextCorpus {
    documents = List.copyOf(documents);
  }

  /** Total size in UTF-8 bytes. */
  public long utf8Bytes() {
    long sum = 0;
    for (Document d : documents) {
      sum += d.utf8Bytes();
    }
    return sum;
  }

  /**
   * Splits off the last part of the corpus for evaluation: the last {@code fraction} of the
   * documents (at least one) if there are several, else the last {@code fraction} of the single
   * document's text, cut at a line break.
   *
   * @param fraction share held out, in (0, 1)
   * @return [training corpus, held-out corpus]
   * @throws IllegalArgumentException if the corpus is too small to split
   */
  public List<TextCorpus> holdOut(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + fraction);
    }
    if (documents.size() >= 2) {
      int held = Math.max(1, (int) Math.round(documents.size() * fraction));
      held = Math.min(held, documents.size() - 1);
      int cut = documents.size() - held;
      return List.of(
          new TextCorpus(name + " (training part)", documents.subList(0, cut)),
          new TextCorpus(name + " (held-out part)", documents.subList(cut, documents.size())));
    }
    Document only = documents.get(0);
    String text = only.text();
    int at = (int) (text.length() * (1 - fraction));
    int newline = text.indexOf('\n', at);
    int cut = newline < 0 || newline + 1 >= text.length() ? at : newline + 1;
    if (cut <= 0 || cut >= text.length()) {
      throw new IllegalArgumentException(name + ": too little text to hold some out");
    }
    return List.of(
        new TextCorpus(
            name + " (first " + Math.round(100 * (1 - fraction)) + "%)",
            List.of(new Document(only.id(), text.substring(0, cut)))),
        new TextCorpus(
            name + " (last " + Math.round(100 * fraction) + "%)",
            List.of(new Document(only.id() + "#held-out", text.substring(cut)))));
  }

  /**
   * Reads a corpus file: JSON lines if the name ends in {@code .jsonl} or {@code .ndjson}, else one
   * UTF-8 text document.
   *
   * @param file the file
   * @return the corpus, named after the file
   * @throws IOException if it cannot be read, is not UTF-8, or a JSON line lacks a text
   */
  public static TextCorpus read(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jsonl") || name.endsWith(".ndjson") ? jsonLines(file) : textFile(file);
  }

  /** One document: the whole file, which must be valid UTF-8. */
  public static TextCorpus textFile(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + ": not valid UTF-8 text (" + e.getMessage() + ")", e);
    }
    String id = file.getFileName().toString();
    return new TextCorpus(file.toString(), List.of(new Document(id, text)));
  }

  /**
   * One document per non-blank line, each a JSON object with a string {@code text} and optionally
   * an {@code id} (default {@code line-N}, 1-based).
   */
  public static TextCorpus jsonLines(Path file) throws IOException {
    List<Document> documents = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IOException(
              file + " line " + number + ": not a JSON object (" + e.getOriginalMessage() + ")", e);
        }
        JsonNode text = node == null ? null : node.get("text");
        if (text == null || !text.isTextual()) {
          throw new IOException(file + " line " + number + ": no string field \"text\"");
        }
        JsonNode id = node.get("id");
        documents.add(
            new Document(
                id == null || id.isNull() ? "line-" + number : id.asText(), text.asText()));
      }
    }
    if (documents.isEmpty()) {
      throw new IOException(file + ": no JSON lines with a \"text\" field");
    }
    return new TextCorpus(file.toString(), documents);
  }
}
