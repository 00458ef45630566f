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
   * A token sequence in the teacher's tokenization: a prompt, possibly followed by tokens the
   * teacher generated after it. The example's positions are the output positions {@code
   * firstTrained, firstTrained + 1, ...} of the sequence: position i is the distribution of the
   * token after {@code ids[i]}.
   *
   * @param ids token ids, in order (prompt, then generated)
   * @param generated how many of the last ids the teacher generated (sequence-level KD)
   * @param firstTrained the output position of the example's first position
   */
  record Tokens(int[] ids, int generated, int firstTrained) implements ExampleInput {
    /** Checks the counts. */
    public Tokens {
      if (generated < 0 || generated > ids.length || firstTrained < 0) {
        throw new IllegalArgumentException(
            "token sequence of "
                + ids.length
                + " ids cannot have "
                + generated
                + " generated ids and start training at "
                + firstTrained);
      }
    }

    /** A sequence without generated tokens, trained at every position. */
    public Tokens(int[] ids) {
      this(ids, 0, 0);
    }

    /** Tokens of the prompt (before the generated ones). */
    public int promptLength() {
      return ids.length - generated;
    }

    @Override
    public int size() {
      return ids.length;
    }
  }
}
