package io.distillery.models.task;

/** What a student sees of one training example: an image or feature vector, or token ids. */
public sealed interface ExampleInput permits ExampleInput.Dense, ExampleInput.Tokens {

  /** Values the student reads: the tensor's elements, or the tokens. */
  int size();

  /**
   * A dense tensor, row-major.
   *
   * @param values the values
   * @param shape the shape of one sample, e.g. (1, 28, 28)
   */
  record Dense(float[] values, long[] shape) implements ExampleInput {
    @Override
    public int size() {
      return values.length;
    }
  }

  /**
   * A token sequence in the teacher's tokenization.
   *
   * @param ids token ids, in order
   */
  record Tokens(int[] ids) implements ExampleInput {
    @Override
    public int size() {
      return ids.length;
    }
  }
}
