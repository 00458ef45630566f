package io.distillery.models.lm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores a causal-LM student against its teacher on held-out text, as the evaluator reports it:
 * bits per UTF-8 byte and perplexity per token of both, KL(teacher ‖ student) per token and top-1
 * agreement with the teacher, all over the same tokens. The text's tokens are cut into windows of
 * {@code [end-of-text] + (context − 1) tokens}, so every token is predicted (the first of a window
 * from the end-of-text token alone) and nothing vocabulary-sized outlives one batch.
 */
public final class LmScorer {

  /**
   * The outcome; nats are natural-log sums over the scored tokens.
   *
   * @param tokens tokens scored
   * @param bytes UTF-8 bytes of the scored text
   * @param studentNats −Σ ln q(token)
   * @param teacherNats −Σ ln p(token)
   * @param klNats Σ KL(p ‖ q) over the positions
   * @param agreements positions where the student's most likely token is the teacher's
   */
  public record Scores(
      long tokens,
      long bytes,
      double studentNats,
      double teacherNats,
      double klNats,
      long agreements) {

    /** The student's bits per byte. */
    public double bitsPerByte() {
      return studentNats / Math.log(2) / bytes;
    }

    /** The student's perplexity per token. */
    public double perplexity() {
      return Math.exp(studentNats / tokens);
    }

    /** The teacher's bits per byte on the same tokens. */
    public double teacherBitsPerByte() {
      return teacherNats / Math.log(2) / bytes;
    }

    /** The teacher's perplexity per token. */
    public double teacherPerplexity() {
      return Math.exp(teacherNats / tokens);
    }

    /** Mean KL(teacher ‖ student) per token, in nats. */
    public double klPerToken() {
      return klNats / tokens;
    }

    /** Fraction of positions whose top-1 token is the teacher's. */
    public double agreement() {
      return (double) agreements / tokens;
    }
  }

  private LmScorer() {}

  /**
   * Cuts tokens into scoring windows: each starts with {@code endOfText} and holds up to {@code
   * context − 1} of the text's tokens, in order.
   */
  public static List<int[]> windows(int[] tokens, int context, int endOfText) {
    if (context < 2) {
      throw new IllegalArgumentException("context must be >= 2 to score, got " + context);
    }
    List<int[]> out = new ArrayList<>();
    for (int start = 0; start < tokens.length; start += context - 1) {
      int end = Math.min(tokens.length, start + context - 1);
      int[] window = new int[end - start + 1];
      window[0] = endOfText;
      System.arraycopy(tokens, start, window, 1, end - start);
      out.add(window);
    }
    return out;
  }

  /**
   * Scores the windows.
   *
   * @param student the student
   * @param teacher the teacher (any engine), same vocabulary
   * @param vocab vocabulary size
   * @param windows from {@link #windows}, each at most both models' context
   * @param bytes UTF-8 bytes of the text the windows' tokens cover
   * @param batchSize windows per forward pass
   */
  public static Scores score(
      LmRunner student,
      LmRunner teacher,
      int vocab,
      List<int[]> windows,
      long bytes,
      int batchSize) {
    long tokens = 0;
    double studentNats = 0;
    double teacherNats = 0;
    double kl = 0;
    long agreements = 0;
    for (int from = 0; from < windows.size(); from += batchSize) {
      List<int[]> batch = windows.subList(from, Math.min(windows.size(), from + batchSize));
      int length = batch.stream().mapToInt(w -> w.length).max().orElse(1);
      long[][] ids = new long[batch.size()][length];
      long[][] mask = new long[batch.size()][length];
      for (int r = 0; r < batch.size(); r++) {
        int[] w = batch.get(r);
        for (int t = 0; t < w.length; t++) {
          ids[r][t] = w[t];
          mask[r][t] = 1;
        }
      }
      float[] q = student.logProbs(ids, mask, vocab);
      float[] p = teacher.logProbs(ids, mask, vocab);
      for (int r = 0; r < batch.size(); r++) {
        int[] w = batch.get(r);
        // Position t predicts token t + 1 of the window.
        for (int t = 0; t + 1 < w.length; t++) {
          int base = (r * length + t) * vocab;
          int next = w[t + 1];
          studentNats -= q[base + next];
          teacherNats -= p[base + next];
          int bestP = 0;
          int bestQ = 0;
          for (int c = 0; c < vocab; c++) {
            double pc = p[base + c];
            kl += Math.exp(pc) * (pc - q[base + c]);
            bestP = p[base + c] > p[base + bestP] ? c : bestP;
            bestQ = q[base + c] > q[base + bestQ] ? c : bestQ;
          }
          agreements += bestP == bestQ ? 1 : 0;
          tokens++;
        }
      }
    }
    return new Scores(tokens, bytes, studentNats, teacherNats, kl, agreements);
  }

  /**
   * The greedy continuation of {@code prompt}: up to {@code tokens} ids, stopping after {@code
   * endOfText}; the prompt is cut to its last {@code context − 1} tokens as the output grows.
   */
  public static int[] greedy(
      LmRunner model, int vocab, int context, int[] prompt, int tokens, int endOfText) {
    int[] sequence = prompt.clone();
    int[] out = new int[tokens];
    int n = 0;
    while (n < tokens) {
      int[] visible =
          sequence.length > context
              ? Arrays.copyOfRange(sequence, sequence.length - context, sequence.length)
              : sequence;
      long[][] ids = {Arrays.stream(visible).asLongStream().toArray()};
      long[][] mask = new long[1][visible.length];
      Arrays.fill(mask[0], 1);
      float[] logProbs = model.logProbs(ids, mask, vocab);
      int base = (visible.length - 1) * vocab;
      int best = 0;
      for (int c = 1; c < vocab; c++) {
        best = logProbs[base + c] > logProbs[base + best] ? c : best;
      }
      out[n++] = best;
      if (best == endOfText) {
        break;
      }
      sequence = Arrays.copyOf(sequence, sequence.length + 1);
      sequence[sequence.length - 1] = best;
    }
    return Arrays.copyOf(out, n);
  }
}
