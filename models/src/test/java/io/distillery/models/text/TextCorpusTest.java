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
}
