package io.distillery.teacher.task.causallm;

import io.distillery.models.lm.LmRunner;
import io.distillery.teacher.batching.BatchRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One batcher worker's forward passes over token sequences: the batch is split into groups of
 * similar lengths ({@link LengthGroups}), each group is padded on the right to its longest sequence
 * with an attention mask of 0 over the padding, and each sequence gets back the logits of its own
 * positions only, {@code length × vocab} values.
 */
final class DecoderRunner implements BatchRunner<int[], float[]> {

  /** Padding allowed per forward pass, as a fraction of its real tokens. */
  static final double MAX_PADDING = 0.25;

  /** Padding always allowed per forward pass, in tokens. */
  static final int SLACK_TOKENS = 16;

  private final LmRunner runner;
  private final int vocabSize;

  DecoderRunner(LmRunner runner, int vocabSize) {
    this.runner = runner;
    this.vocabSize = vocabSize;
  }

  @Override
  public List<float[]> run(List<int[]> sequences) {
    int[] lengths = sequences.stream().mapToInt(s -> s.length).toArray();
    float[][] outputs = new float[sequences.size()][];
    for (int[] group : LengthGroups.of(lengths, MAX_PADDING, SLACK_TOKENS)) {
      int longest = lengths[group[0]];
      long[][] ids = new long[group.length][longest];
      long[][] mask = new long[group.length][longest];
      for (int row = 0; row < group.length; row++) {
        int[] sequence = sequences.get(group[row]);
        for (int t = 0; t < sequence.length; t++) {
          ids[row][t] = sequence[t];
          mask[row][t] = 1;
        }
        // Padding keeps id 0 (a valid id for any vocabulary) and mask 0.
      }
      float[] logits = runner.logits(ids, mask);
      long expected = (long) group.length * longest * vocabSize;
      if (logits.length != expected) {
        throw new IllegalStateException(
            "the decoder returned "
                + logits.length
                + " logits for "
                + group.length
                + " sequences of "
                + longest
                + " tokens; expected "
                + vocabSize
                + " per position (the card's vocabulary size)");
      }
      for (int row = 0; row < group.length; row++) {
        int from = row * longest * vocabSize;
        outputs[group[row]] =
            Arrays.copyOfRange(logits, from, from + lengths[group[row]] * vocabSize);
      }
    }
    return new ArrayList<>(Arrays.asList(outputs));
  }
}
