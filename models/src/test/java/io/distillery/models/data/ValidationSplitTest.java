package io.distillery.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

  private static LabeledImages synthetic(int n) {
    float[] images = new float[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      Arrays.fill(images, i * 4, i * 4 + 4, i); // each image remembers its index
      labels[i] = i % 10;
    }
    return new LabeledImages(images, labels, 1, 2, 2);
  }

  @Test
  void sameSeedGivesTheSameSplit() {
    LabeledImages data = synthetic(1000);
    ValidationSplit a = ValidationSplit.of(data, 100, 42);
    ValidationSplit b = ValidationSplit.of(data, 100, 42);
    assertArrayEquals(a.validationIndices(), b.validationIndices());
    assertArrayEquals(a.validation().images(), b.validation().images());
    assertFalse(
        Arrays.equals(
            a.validationIndices(), ValidationSplit.of(data, 100, 43).validationIndices()));
  }

  @Test
  void partsAreDisjointCoverEverythingAndCarryTheirImages() {
    LabeledImages data = synthetic(1000);
    ValidationSplit split = ValidationSplit.of(data, 250, 7);
    assertEquals(750, split.train().size());
    assertEquals(250, split.validation().size());
    BitSet seen = new BitSet();
    for (int[] part : new int[][] {split.trainIndices(), split.validationIndices()}) {
      for (int i : part) {
        assertFalse(seen.get(i), "index " + i + " in both parts");
        seen.set(i);
      }
    }
    assertEquals(1000, seen.cardinality());
    for (int k = 0; k < split.validation().size(); k++) {
      int source = split.validationIndices()[k];
      assertEquals(source, split.validation().images()[k * 4]);
      assertEquals(source % 10, split.validation().labels()[k]);
    }
  }

  @Test
  void theStandardFashionMnistSplitIsStableAndRoughlyBalanced() throws IOException {
    LabeledImages train = FashionMnist.train(FashionMnistLocator.locate());
    ValidationSplit split = ValidationSplit.standard(train);
    assertEquals(55_000, split.train().size());
    assertEquals(5_000, split.validation().size());
    int[] perClass = new int[10];
    for (int label : split.validation().labels()) {
      perClass[label]++;
    }
    assertTrue(
        Arrays.stream(perClass).allMatch(c -> c > 400 && c < 600), Arrays.toString(perClass));
    // Pinned: a change of the split would silently move every validation result, so fail loudly.
    assertArrayEquals(
        new int[] {50, 138, 141, 144, 150, 163, 168, 173},
        Arrays.copyOf(split.validationIndices(), 8));
    assertEquals(-963599356, Arrays.hashCode(split.validationIndices()));
  }

  @Test
  void rejectsAnOversizedValidationSet() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ValidationSplit.of(synthetic(10), 11, 1));
    assertTrue(e.getMessage().contains("validationSize must be within 0..10, got 11"));
  }
}
