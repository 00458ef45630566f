package io.distillery.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.testing.TinyLmTeacher;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Held-out LM scores of a student against its teacher, with two in-process decoders. */
class LmScorerTest {

  private static TinyLmTeacher teacher;
  private static TinyLmTeacher other;

  @BeforeAll
  static void models() {
    teacher = new TinyLmTeacher(LmSpec.of(64, 32, 2, 32, 2, 64), 11, 8f);
    other = new TinyLmTeacher(LmSpec.of(64, 32, 1, 32, 2, 64), 12, 1f);
  }

  @AfterAll
  static void close() {
    teacher.close();
    other.close();
  }

  @Test
  void windowsStartWithEndOfTextAndCoverEveryTokenOnce() {
    List<int[]> windows = LmScorer.windows(new int[] {5, 6, 7, 8, 9}, 3, 0);
    assertEquals(3, windows.size());
    assertArrayEquals(new int[] {0, 5, 6}, windows.get(0));
    assertArrayEquals(new int[] {0, 9}, windows.get(2));
  }

  @Test
  void aStudentEqualToItsTeacherHasZeroKlFullAgreementAndTheTeachersBitsPerByte() {
    int[] text = teacher.sample(4, 25, 3).stream().flatMapToInt(java.util.Arrays::stream).toArray();
    List<int[]> windows = LmScorer.windows(text, 32, 0);
    LmRunner runner = new LmRunner(teacher.model());
    LmScorer.Scores same = LmScorer.score(runner, runner, 64, windows, 250, 3);
    assertEquals(100, same.tokens());
    assertEquals(0, same.klPerToken(), 1e-5);
    assertEquals(1.0, same.agreement(), 0);
    assertEquals(same.teacherBitsPerByte(), same.bitsPerByte(), 1e-9);
    assertEquals(
        Math.exp(same.studentNats() / 100), same.perplexity(), 1e-9, "perplexity per token");

    LmScorer.Scores different =
        LmScorer.score(new LmRunner(other.model()), runner, 64, windows, 250, 3);
    assertEquals(same.teacherNats(), different.teacherNats(), 1e-3, "the same teacher reference");
    assertTrue(different.klPerToken() > 0.1, "KL " + different.klPerToken());
    // Tied embeddings make "repeat the input token" both random models' usual top-1: agreement
    // stays high.
    assertTrue(different.agreement() < 1.0, "agreement " + different.agreement());
    assertTrue(different.bitsPerByte() > same.bitsPerByte());
  }

  @Test
  void greedyContinuationMatchesStepByStepArgMax() {
    int[] prompt = {3, 4, 5};
    int[] expected = teacher.greedy(prompt, 6);
    int[] actual = LmScorer.greedy(new LmRunner(teacher.model()), 64, 32, prompt, 6, -1);
    assertArrayEquals(expected, actual);
  }
}
