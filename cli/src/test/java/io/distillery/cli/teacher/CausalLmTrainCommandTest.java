package io.distillery.cli.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.cli.DistilleryCommand;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code distillery teacher train --task causal-lm}, a few steps of a tiny model on real text. */
class CausalLmTrainCommandTest {

  @Test
  void trainsOnAJsonLinesCorpusAndWritesAVerifiedModelDirectory(@TempDir Path dir)
      throws Exception {
    // Two chapters' worth of Northanger Abbey as JSON lines, one paragraph per record.
    String novel =
        JaneAusten.novels(JaneAusten.locate(null)).stream()
            .filter(d -> d.id().equals("northangerabbey"))
            .map(Document::text)
            .findFirst()
            .orElseThrow()
            .substring(0, 60_000);
    List<String> lines = new ArrayList<>();
    for (String paragraph : novel.split("\n\n")) {
      if (!paragraph.isBlank()) {
        lines.add(
            "{\"text\": "
                + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(paragraph)
                + "}");
      }
    }
    Path corpus = Files.write(dir.resolve("northanger.jsonl"), lines);
    Path out = dir.resolve("lm");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new DistilleryCommand())
              .execute(
                  "teacher",
                  "train",
                  "--task",
                  "causal-lm",
                  "--out",
                  out.toString(),
                  "--corpus",
                  corpus.toString(),
                  "--steps",
                  "6",
                  "--vocab",
                  "280",
                  "--context",
                  "16",
                  "--layers",
                  "1",
                  "--width",
                  "16",
                  "--heads",
                  "2",
                  "--batch-size",
                  "4",
                  "--id",
                  "tiny-lm",
                  "--quiet");
    } finally {
      System.setOut(stdout);
    }
    String log = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, log);
    TeacherCardFile card = TeacherArtifacts.checkFiles(out);
    assertEquals("tiny-lm", card.id());
    assertEquals(TeacherCardFile.TASK_CAUSAL_LM, card.task());
    assertEquals("northanger.jsonl", card.dataset());
    assertEquals(280, card.languageModel().vocabSize());
    assertEquals(6, card.languageModel().training().steps());
    assertTrue(card.languageModel().evaluation().dataset().contains("held-out part"), log);
    assertTrue(log.contains("max |Δ log p|"), log);
    assertTrue(log.contains("bits/byte"), log);
    assertTrue(log.contains("tokenizer.json"), log);
    try (Model model = TeacherArtifacts.loadPyTorch(out)) {
      assertTrue(model.getBlock() instanceof CausalLm);
    }
  }

  @Test
  void rejectsOptionsOfTheOtherTask() {
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new DistilleryCommand())
            .setErr(new PrintWriter(err))
            .execute("teacher", "train", "--task", "causal-lm", "--epochs", "3");
    assertEquals(2, code);
    assertTrue(
        err.toString().contains("--epochs does not apply to --task causal-lm"), err.toString());

    err = new StringWriter();
    code =
        new CommandLine(new DistilleryCommand())
            .setErr(new PrintWriter(err))
            .execute("teacher", "train", "--out", "x", "--vocab", "300");
    assertEquals(2, code);
    assertTrue(
        err.toString().contains("--vocab does not apply to --task classification"), err.toString());

    err = new StringWriter();
    code =
        new CommandLine(new DistilleryCommand())
            .setErr(new PrintWriter(err))
            .execute("teacher", "train", "--epochs", "1");
    assertEquals(2, code);
    assertTrue(err.toString().contains("Missing required option: '--out=DIR'"), err.toString());
  }
}
