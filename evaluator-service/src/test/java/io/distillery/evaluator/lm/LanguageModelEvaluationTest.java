package io.distillery.evaluator.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.evaluator.evaluation.TaskEvaluation;
import io.distillery.evaluator.support.EvaluatorTestResource;
import io.distillery.evaluator.support.TinyLm;
import io.distillery.evaluator.support.TinyLmResource;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.EvaluationStatus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LM checkpoints scored in-process against a really trained tiny teacher on real held-out text
 * (Persuasion): a student with the teacher's weights against a random one, and the clear failures.
 * A Quarkus test only so it shares the app's class loader with {@link LmEvaluationFlowTest} (the
 * tokenizers' native library loads into one class loader per JVM); it calls the class directly.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(EvaluatorTestResource.class)
@QuarkusTestResource(TinyLmResource.class)
class LanguageModelEvaluationTest {

  @TempDir static Path root;
  static LanguageModelEvaluation evaluation;
  static String sha;

  @BeforeAll
  static void setUp() throws Exception {
    sha = TinyLm.tokenizerSha256();
    evaluation =
        new LanguageModelEvaluation(
            settings(Optional.of(TinyLm.teacherDir()), Optional.of(TinyLm.heldOutFile())));
  }

  @AfterAll
  static void close() {
    evaluation.close();
  }

  @Test
  void aTeacherLikeStudentGetsLowerBitsPerByteThanARandomOne() throws Exception {
    Checkpoint good = TinyLm.checkpoint(root, "lm-good", 1, true, sha);
    Checkpoint random = TinyLm.checkpoint(root, "lm-random", 1, false, sha);

    TaskEvaluation.Scored goodScored = evaluation.score(good.event(), good, 1L);
    TaskEvaluation.Scored randomScored = evaluation.score(random.event(), random, 2L);
    EvaluationMetrics g = goodScored.event().getMetrics();
    EvaluationMetrics r = randomScored.event().getMetrics();

    assertEquals(EvaluationStatus.EVALUATION_OK, goodScored.event().getStatus());
    assertTrue(Double.isFinite(r.getBitsPerByte()) && r.getBitsPerByte() > 0, r.toString());
    assertTrue(
        g.getBitsPerByte() < r.getBitsPerByte() - 0.1,
        "teacher-like " + g.getBitsPerByte() + " vs random " + r.getBitsPerByte());
    // The same weights as the teacher: its numbers, no divergence, full agreement.
    assertEquals(g.getTeacherBitsPerByte(), g.getBitsPerByte(), 1e-4);
    assertEquals(g.getTeacherPerplexity(), g.getPerplexity(), 1e-3);
    assertEquals(0, g.getKlTeacherStudent(), 1e-4);
    assertEquals(1.0, g.getAgreement(), 1e-9);
    assertTrue(r.getKlTeacherStudent() > 0.1, "random student's KL " + r.getKlTeacherStudent());
    assertEquals(g.getTeacherBitsPerByte(), r.getTeacherBitsPerByte(), 1e-6, "same reference");
    assertEquals(g.getTokens(), r.getTokens());
    assertTrue(g.getTokens() > 1000, "tokens " + g.getTokens());
    assertEquals(Math.exp(g.getNll()), g.getPerplexity(), 1e-6);

    assertEquals(3, goodScored.event().getContinuationsCount());
    goodScored
        .event()
        .getContinuationsList()
        .forEach(
            c -> {
              assertFalse(c.getText().isEmpty(), c.toString());
              assertTrue(c.getTokenIdsCount() >= 1 && c.getTokenIdsCount() <= 5, c.toString());
            });
    assertEquals("Anne Elliot", goodScored.event().getContinuations(1).getPrompt());

    assertEquals(LanguageModelEvaluation.BITS_PER_BYTE, goodScored.ranking().metricId());
    assertFalse(goodScored.ranking().higherIsBetter());
    assertEquals(g.getBitsPerByte(), goodScored.ranking().value(), 0);
    assertTrue(goodScored.event().getEvalSetId().startsWith(TinyLm.heldOutFile().toString()));
  }

  @Test
  void aStudentOfAnotherTokenizerFailsClearly() throws Exception {
    Checkpoint other = TinyLm.checkpoint(root, "lm-other", 1, false, "ab".repeat(32));
    EvaluationFailure failure =
        assertThrows(EvaluationFailure.class, () -> evaluation.score(other.event(), other, 1L));
    assertEquals(EvaluationFailure.TOKENIZER_MISMATCH, failure.reason());
    assertTrue(failure.getMessage().contains("ab".repeat(32)), failure.getMessage());
  }

  @Test
  void aMissingTeacherDirOrHeldOutFileFailsClearly() throws Exception {
    Checkpoint student = TinyLm.checkpoint(root, "lm-missing", 1, false, sha);
    LanguageModelEvaluation noTeacher =
        new LanguageModelEvaluation(settings(Optional.empty(), Optional.of(TinyLm.heldOutFile())));
    EvaluationFailure failure =
        assertThrows(EvaluationFailure.class, () -> noTeacher.score(student.event(), student, 1L));
    assertEquals(EvaluationFailure.MISSING_TEACHER, failure.reason());
    assertTrue(failure.getMessage().contains("teacher-dir"), failure.getMessage());

    Path absent = root.resolve("absent.txt");
    LanguageModelEvaluation noText =
        new LanguageModelEvaluation(
            settings(Optional.of(TinyLm.teacherDir()), Optional.of(absent)));
    failure =
        assertThrows(EvaluationFailure.class, () -> noText.score(student.event(), student, 1L));
    assertEquals(EvaluationFailure.MISSING_HELD_OUT, failure.reason());
    assertTrue(failure.getMessage().contains(absent.toString()), failure.getMessage());
  }

  static EvaluatorConfig.Lm settings(Optional<Path> teacherDir, Optional<Path> heldOut) {
    return new EvaluatorConfig.Lm() {
      @Override
      public Optional<Path> teacherDir() {
        return teacherDir;
      }

      @Override
      public Optional<Path> heldOutFile() {
        return heldOut;
      }

      @Override
      public int maxTokens() {
        return 20_000;
      }

      @Override
      public int batchSize() {
        return 8;
      }

      @Override
      public List<String> prompts() {
        return List.of("It is a truth", "Anne Elliot", "The weather was");
      }

      @Override
      public int continuationTokens() {
        return 5;
      }
    };
  }
}
