package io.distillery.models.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.SparseDistribution;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure arithmetic: plain JUnit. */
class TopKTest {

  private static final float[] LOGITS = {2f, -1f, 0.5f, 3f, 0.5f};

  private static double softmax(int id, float temperature) {
    double sum = 0;
    for (float logit : LOGITS) {
      sum += Math.exp(logit / temperature);
    }
    return Math.exp(LOGITS[id] / temperature) / sum;
  }

  @Test
  void keepsTheMostProbableEntriesFirstWithExactLogProbsAndTail() {
    SparseDistribution top = TopK.of(LOGITS, 0, LOGITS.length, 2, 1f);
    assertEquals(List.of(3, 0), top.getIdsList());
    assertEquals(Math.log(softmax(3, 1f)), top.getLogProbs(0), 1e-6);
    assertEquals(Math.log(softmax(0, 1f)), top.getLogProbs(1), 1e-6);
    double tail = softmax(1, 1f) + softmax(2, 1f) + softmax(4, 1f);
    assertEquals(tail, top.getTailMass(), 1e-6);
  }

  @Test
  void tailIsExactlyZeroWhenKCoversEveryClass() {
    SparseDistribution all = TopK.of(LOGITS, 0, LOGITS.length, LOGITS.length, 1f);
    assertEquals(0f, all.getTailMass());
    double total = 0;
    for (float logProb : all.getLogProbsList()) {
      total += Math.exp(logProb);
    }
    assertEquals(1.0, total, 1e-6);
  }

  @Test
  void temperatureSoftensTheDistribution() {
    SparseDistribution cold = TopK.of(LOGITS, 0, LOGITS.length, 1, 1f);
    SparseDistribution warm = TopK.of(LOGITS, 0, LOGITS.length, 1, 4f);
    assertEquals(Math.log(softmax(3, 4f)), warm.getLogProbs(0), 1e-6);
    assertTrue(warm.getLogProbs(0) < cold.getLogProbs(0));
    assertTrue(warm.getTailMass() > cold.getTailMass());
  }

  @Test
  void tiesGoToTheLowerIdAndOffsetsSelectTheRow() {
    float[] twoRows = {9f, 9f, 9f, 0.5f, 1f, 0.5f};
    SparseDistribution second = TopK.of(twoRows, 3, 3, 2, 1f);
    assertEquals(List.of(1, 0), second.getIdsList());
  }

  @Test
  void keepsWhatAFullSortKeepsOnAVocabularyWithTies() {
    java.util.Random random = new java.util.Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int size = 1 + random.nextInt(600);
      int k = 1 + random.nextInt(40);
      float[] logits = new float[size];
      for (int i = 0; i < size; i++) {
        // Rounded to a coarse grid so that many values tie.
        logits[i] = Math.round(random.nextGaussian() * 8) / 4f;
      }
      List<Integer> expected =
          java.util.stream.IntStream.range(0, size)
              .boxed()
              .sorted((a, b) -> Float.compare(logits[b], logits[a]))
              .limit(k)
              .toList();
      assertEquals(expected, TopK.of(logits, 0, size, k, 1f).getIdsList(), "trial " + trial);
    }
  }
}
