package io.distillery.models.data;

import java.util.Arrays;
import java.util.Random;

/**
 * A deterministic split of a training set into a part to train on and a validation part to choose
 * hyper-parameters on (never on the test set). The same size and seed always give the same images,
 * on every machine: the permutation comes from {@link java.util.Random}, whose algorithm is fixed
 * by its specification.
 *
 * @param train the images to train on, in their original order
 * @param validation the held-out images, in their original order
 * @param trainIndices indices of {@code train} in the source set, ascending
 * @param validationIndices indices of {@code validation} in the source set, ascending
 */
public record ValidationSplit(
    LabeledImages train, LabeledImages validation, int[] trainIndices, int[] validationIndices) {

  /**
   * Carves {@code validationSize} random images out of {@code source}.
   *
   * @param source the full training set
   * @param validationSize images to hold out, 0 ≤ size ≤ source size
   * @param seed seed of the permutation
   * @return the split
   */
  public static ValidationSplit of(LabeledImages source, int validationSize, long seed) {
    int n = source.size();
    if (validationSize < 0 || validationSize > n) {
      throw new IllegalArgumentException(
          "validationSize must be within 0.." + n + ", got " + validationSize);
    }
    int[] permutation = permutation(n, seed);
    int[] validation = Arrays.copyOf(permutation, validationSize);
    int[] train = Arrays.copyOfRange(permutation, validationSize, n);
    // Sorted so both parts keep the source order; only membership depends on the seed.
    Arrays.sort(validation);
    Arrays.sort(train);
    return new ValidationSplit(source.subset(train), source.subset(validation), train, validation);
  }

  /**
   * The split every Distillery job uses by default: {@link FashionMnist#DEFAULT_VALIDATION_SIZE}
   * images chosen with {@link FashionMnist#DEFAULT_SPLIT_SEED}.
   *
   * @param fashionMnistTrain the 60,000 training images
   * @return the split
   */
  public static ValidationSplit standard(LabeledImages fashionMnistTrain) {
    return of(
        fashionMnistTrain, FashionMnist.DEFAULT_VALIDATION_SIZE, FashionMnist.DEFAULT_SPLIT_SEED);
  }

  /** A Fisher-Yates shuffle of 0..n-1. */
  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
