package io.distillery.models.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.models.digest.Sha256;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.text.TextCorpus;
import io.distillery.models.tokenizer.TextTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A causal-LM teacher trained for a few steps on real text (one novel, a tiny network), written,
 * loaded back and checked: the same pipeline as {@code distillery teacher train --task causal-lm}.
 */
class CausalLmTeacherTrainerTest {
  @TempDir static Path dir;
  static Path out;
  static CausalLmTeacherTrainer.Report report;
  static TextCorpus heldOut;
  static String log;

  @BeforeAll
  static void trainATinyTeacher() throws Exception {
    List<Document> novels = JaneAusten.novels(JaneAusten.locate(null));
    TextCorpus train =
        new TextCorpus(
            "northangerabbey",
            novels.stream().filter(d -> d.id().equals("northangerabbey")).toList());
    Document persuasion =
        novels.stream().filter(d -> d.id().equals(JaneAusten.HELD_OUT)).findFirst().orElseThrow();
    heldOut =
        new TextCorpus(
            "persuasion (first chapters)",
            List.of(new Document("persuasion", persuasion.text().substring(0, 20_000))));
    out = dir.resolve("lm-teacher");
    CausalLmTeacherConfig config =
        CausalLmTeacherConfig.defaults(out)
            .withNetwork(300, 32, 1, 32, 2, 64)
            .withSchedule(16, 3e-3f, 3e-4f, 5)
            .withBudget(40, 0);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report =
        new CausalLmTeacherTrainer(
                config,
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                CausalLmTeacherTrainer.Listener.NONE)
            .train(train, heldOut, "janeausten");
    log = bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void writesTheModelDirectoryUsersAlreadyHave() throws IOException {
    try (var files = Files.list(out)) {
      assertEquals(
          Set.of("model.onnx", "tokenizer.json", "teacher-0040.params", "teacher-card.json"),
          Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
    }
    TeacherCardFile card = TeacherArtifacts.checkFiles(out);
    assertEquals(TeacherCardFile.TASK_CAUSAL_LM, card.task());
    assertEquals(Set.of("onnx", "params", "tokenizer"), card.files().keySet());
    assertEquals(300, card.outputSize());
    assertNull(card.training());
    TeacherCardFile.LanguageModel lm = card.languageModel();
    assertEquals(LmSpec.of(300, 32, 1, 32, 2, 64), lm.architecture());
    assertEquals(32, lm.maxSequenceLength());
    assertEquals(List.of("input_ids", "attention_mask"), lm.inputNames());
    assertEquals(lm.architecture().parameterCount(), lm.parameters());
    assertEquals(Sha256.file(out.resolve("tokenizer.json")), lm.tokenizer().sha256());
    assertEquals(299, lm.tokenizer().endOfTextId());
    assertEquals(40, lm.training().steps());
    assertEquals(40L * 16 * 32, lm.training().tokensSeen());
    assertEquals(heldOut.utf8Bytes(), lm.evaluation().bytes());
    // 40 steps of a tiny model: far from good, but well below a uniform guess over the tokens.
    double bpb = lm.evaluation().bitsPerByte();
    double uniform = Math.log(300) / Math.log(2) / lm.evaluation().bytesPerToken();
    assertTrue(bpb > 1.5 && bpb < 0.8 * uniform, "bits/byte " + bpb + ", uniform " + uniform + log);
    assertEquals(report.evaluation().bitsPerByte(), bpb, 1e-4);
    assertTrue(log.contains("bits/byte"), log);
  }

  @Test
  void theCardSurvivesARoundTrip() throws IOException {
    TeacherCardFile card = TeacherCardFile.read(out);
    Path copy = Files.createDirectories(dir.resolve("copy"));
    card.write(copy);
    assertEquals(card, TeacherCardFile.read(copy));
    String json = Files.readString(out.resolve(TeacherCardFile.FILE_NAME));
    assertTrue(json.contains("\"task\" : \"causal-lm\""), json);
    assertTrue(json.contains("\"bits_per_byte\""), json);
    assertTrue(json.contains("\"max_sequence_length\" : 32"), json);
    assertTrue(!json.contains("causal_lm\""), "no derived properties in the JSON: " + json);
  }

  @Test
  void onnxRuntimeMatchesPyTorchOnHeldOutTextInPaddedBatches() throws Exception {
    CausalLmTeacherTrainer.Verification v = CausalLmTeacherTrainer.verify(out, heldOut, 24, 0);
    assertEquals(24, v.agreement().sequences());
    assertTrue(v.agreement().positions() > 24, "positions " + v.agreement());
    assertTrue(v.agreement().maxAbsLogProbDiff() <= 1e-4, "max |Δ log p| " + v.agreement());
    assertEquals(0, v.agreement().argMaxDisagreements());
  }

  @Test
  void loadsBackThroughTeacherArtifacts() throws Exception {
    try (Model model = TeacherArtifacts.loadPyTorch(out);
        TextTokenizer tokenizer = TeacherArtifacts.loadTokenizer(out)) {
      assertTrue(model.getBlock() instanceof CausalLm);
      assertEquals(300, tokenizer.vocabSize());
      assertEquals("<|endoftext|>", tokenizer.endOfText());
      assertEquals("Persuasion", tokenizer.decode(tokenizer.encode("Persuasion")));
    }
  }

  @Test
  void aChangedTokenizerFailsTheChecksum() throws IOException {
    Path copy = Files.createDirectories(dir.resolve("tampered"));
    try (var files = Files.list(out)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Files.writeString(copy.resolve("tokenizer.json"), " ", java.nio.file.StandardOpenOption.APPEND);
    IOException e = assertThrows(IOException.class, () -> TeacherArtifacts.checkFiles(copy));
    assertTrue(e.getMessage().contains("tokenizer.json: sha256"), e.getMessage());
  }
}
