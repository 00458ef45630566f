package io.distillery.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void withoutATerminalItPrintsPlainLinesRarely() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress progress = Progress.start("Producing", 1000, "prompts", out)) {
      for (int i = 0; i < 100; i++) {
        progress.stepBy(5);
      }
      progress.stepTo(1000);
      progress.setExtraMessage("loss 0.1234");
      assertEquals(1000, progress.current());
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("\r"), text);
    assertFalse(text.contains("\u001b"), text);
    List<String> lines = text.lines().toList();
    // One line when it starts, one when it closes: nothing in between within 5 s.
    assertTrue(lines.size() <= 3, text);
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("Producing 100%"), last);
    assertTrue(last.contains("1000/1000 prompts"), last);
    assertTrue(last.contains("prompts/s"), last);
    assertTrue(last.contains("loss 0.1234"), last);
  }

  @Test
  void closeIsIdempotent() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress progress =
        Progress.start("Steps", 0, "steps", new PrintStream(bytes, true, StandardCharsets.UTF_8));
    progress.stepBy(3);
    progress.close();
    int length = bytes.size();
    progress.close();
    assertEquals(length, bytes.size());
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("3/? steps"), bytes.toString());
  }
}
