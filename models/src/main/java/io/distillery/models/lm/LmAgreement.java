package io.distillery.models.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares two runners of the same decoder (e.g. PyTorch and ONNX Runtime) on real sequences, in
 * padded batches: every other sequence is left-padded, the others right-padded, to the longest one
 * in its batch, so both padding sides are exercised together. Only real positions count.
 *
 * @param sequences sequences compared
 * @param positions real positions compared
 * @param maxAbsLogProbDiff largest |log p_a − log p_b| over all real positions and all tokens
 * @param argMaxDisagreements positions whose most likely next token differs
 */
public record LmAgreement(
    int sequences, long positions, double maxAbsLogProbDiff, long argMaxDisagreements) {

  /** Token id used for padding (any id: padding must not matter). */
  public static final long PAD_ID = 0;

  /**
   * Runs both and compares.
   *
   * @param a one runner
   * @param b the other
   * @param sequences token sequences, each at most the context length
   * @param vocabSize the vocabulary size
   * @param batchSize sequences per batch
   * @return the comparison
   */
  public static LmAgreement compare(
      LmRunner a, LmRunner b, List<long[]> sequences, int vocabSize, int batchSize) {
    double maxDiff = 0;
    long positions = 0;
    long disagreements = 0;
    for (int start = 0; start < sequences.size(); start += batchSize) {
      List<long[]> batch =
          new ArrayList<>(sequences.subList(start, Math.min(sequences.size(), start + batchSize)));
      int length = batch.stream().mapToInt(s -> s.length).max().orElse(0);
      long[][] ids = new long[batch.size()][length];
      long[][] mask = new long[batch.size()][length];
      int[] offsets = new int[batch.size()];
      for (int r = 0; r < batch.size(); r++) {
        long[] seq = batch.get(r);
        int offset = (start + r) % 2 == 0 ? 0 : length - seq.length; // right- or left-padded
        offsets[r] = offset;
        java.util.Arrays.fill(ids[r], PAD_ID);
        System.arraycopy(seq, 0, ids[r], offset, seq.length);
        for (int t = 0; t < seq.length; t++) {
          mask[r][offset + t] = 1;
        }
      }
      float[] pa = a.logProbs(ids, mask, vocabSize);
      float[] pb = b.logProbs(ids, mask, vocabSize);
      for (int r = 0; r < batch.size(); r++) {
        for (int t = 0; t < batch.get(r).length; t++) {
          int base = (r * length + offsets[r] + t) * vocabSize;
          int bestA = 0;
          int bestB = 0;
          for (int c = 0; c < vocabSize; c++) {
            maxDiff = Math.max(maxDiff, Math.abs(pa[base + c] - pb[base + c]));
            bestA = pa[base + c] > pa[base + bestA] ? c : bestA;
            bestB = pb[base + c] > pb[base + bestB] ? c : bestB;
          }
          disagreements += bestA == bestB ? 0 : 1;
          positions++;
        }
      }
    }
    return new LmAgreement(sequences.size(), positions, maxDiff, disagreements);
  }
}
