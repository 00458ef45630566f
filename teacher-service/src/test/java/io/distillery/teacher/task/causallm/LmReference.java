package io.distillery.teacher.task.causallm;

import ai.djl.Model;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The expected answers, computed on DJL's PyTorch engine from the model directory's parameters — a
 * different engine and a different artifact than the served ONNX file.
 */
final class LmReference implements AutoCloseable {

  private final Model model;
  private final LmRunner runner;
  private final int vocab;

  LmReference(Path dir, int vocab) throws Exception {
    this.model = TeacherArtifacts.loadPyTorch(dir);
    this.runner = new LmRunner(model);
    this.vocab = vocab;
  }

  /** Log-probabilities (length × vocab) of one unpadded sequence. */
  float[] logProbs(int[] ids) {
    long[][] x = {Arrays.stream(ids).asLongStream().toArray()};
    long[][] mask = new long[1][ids.length];
    Arrays.fill(mask[0], 1);
    return runner.logProbs(x, mask, vocab);
  }

  /** The greedy continuation: argmax of the last position, until end-of-text or the budget. */
  int[] greedy(int[] prompt, int maxNew, int endOfText) {
    int[] seq = prompt.clone();
    for (int n = 0; n < maxNew; n++) {
      float[] lp = logProbs(seq);
      int base = (seq.length - 1) * vocab;
      int best = 0;
      for (int i = 1; i < vocab; i++) {
        if (lp[base + i] > lp[base + best]) {
          best = i;
        }
      }
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = best;
      if (best == endOfText) {
        break;
      }
    }
    return Arrays.copyOfRange(seq, prompt.length, seq.length);
  }

  @Override
  public void close() {
    model.close();
  }
}
