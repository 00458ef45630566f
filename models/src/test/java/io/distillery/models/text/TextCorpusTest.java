package io.distillery.models.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
  @TempDir Path dir;

  @Test
  void aTextFileIsOneDocument() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.txt"), "Ça va?\nOui.\n");
    TextCorpus corpus = TextCorpus.read(file);
    assertEquals(List.of(new Document("notes.txt", "Ça va?\nOui.\n")), corpus.documents());
    assertEquals(13, corpus.utf8Bytes());
  }

  @Test
  void aJsonLinesFileIsOneDocumentPerRecord() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("data.jsonl"),
            "{\"text\": \"first\\nline\", \"id\": \"a\"}\n\n{\"text\": \"second\", \"meta\": 1}\n");
    TextCorpus corpus = TextCorpus.read(file);
    assertEquals(
        List.of(new Document("a", "first\nline"), new Document("line-3", "second")),
        corpus.documents());
  }

  @Test
  void namesTheLineWithoutAText() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.jsonl"), "{\"text\": \"ok\"}\n{\"txt\": 1}\n");
    IOException e = assertThrows(IOException.class, () -> TextCorpus.read(file));
    assertTrue(e.getMessage().contains("line 2: no string field \"text\""), e.getMessage());
  }

  @Test
  void rejectsATextFileThatIsNotUtf8() throws IOException {
    Path file =
        Files.write(dir.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    IOException e = assertThrows(IOException.class, () -> TextCorpus.read(file));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }

  @Test
  void holdsOutTheLastDocumentsOrTheEndOfASingleText() {
    TextCorpus several =
        new TextCorpus(
            "c",
            List.of(
                new Document("a", "1"),
                new Document("b", "2"),
                new Document("c", "3"),
                new Document("d", "4")));
    List<TextCorpus> split = several.holdOut(0.25);
    assertEquals(3, split.get(0).documents().size());
    assertEquals(List.of(new Document("d", "4")), split.get(1).documents());

    String text = "line one\nline two\nline three\nline four\nline five\n";
    List<TextCorpus> halves = new TextCorpus("t", List.of(new Document("t", text))).holdOut(0.3);
    String train = halves.get(0).documents().get(0).text();
    String held = halves.get(1).documents().get(0).text();
    assertEquals(text, train + held);
    assertTrue(train.endsWith("\n") && held.startsWith("line"), train + "|" + held);
    assertTrue(held.length() < text.length() / 2, held);
  }
}
