package io.distillery.teacher.watermark;

import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.watermark.lm.VocabWatermark;
import java.nio.file.Path;

/** The language model's keyed vocabulary-group signal (GINSEW-style) as a {@link MarkScheme}. */
final class LmMarkScheme implements MarkScheme {

  private final VocabWatermark watermark;

  LmMarkScheme(VocabWatermark watermark) {
    this.watermark = watermark;
  }

  @Override
  public String kind() {
    return "causal-lm";
  }

  @Override
  public void checkServes(TeacherCardFile card, Path keyFile) {
    if (card.languageModel() != null
        && card.languageModel().vocabSize() != watermark.key().vocabSize()) {
      throw new IllegalStateException(
          "distillery.teacher.watermark.key-file "
              + keyFile
              + " holds a causal-lm key for a vocabulary of "
              + watermark.key().vocabSize()
              + " tokens but the teacher's vocabulary has "
              + card.languageModel().vocabSize()
              + "; create a key with "
              + Watermarking.keyCommand(card));
    }
  }

  @Override
  public double epsilon() {
    return watermark.epsilon();
  }

  @Override
  public Marked markSample(float[] input, float[] logits) {
    throw new IllegalStateException(
        "distillery.teacher.watermark.key-file holds a causal-lm key but this teacher serves a"
            + " classifier; create a classification key with 'distillery teacher watermark-key'");
  }

  @Override
  public Marked markSequence(int[] ids, float[] logits) {
    if (logits.length != (long) ids.length * watermark.key().vocabSize()) {
      throw new IllegalStateException(
          "the causal-lm watermark key is for a vocabulary of "
              + watermark.key().vocabSize()
              + " tokens; this teacher's output has "
              + (ids.length == 0 ? 0 : logits.length / ids.length)
              + " (make the key with --vocab-size of the teacher)");
    }
    VocabWatermark.Marked marked = watermark.markSequence(ids, logits);
    return new Marked(marked.logits(), marked.perturbation());
  }
}
