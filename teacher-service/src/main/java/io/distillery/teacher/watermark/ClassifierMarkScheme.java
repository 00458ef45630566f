package io.distillery.teacher.watermark;

import io.distillery.models.watermark.CosineWatermark;

/** The classifier's keyed cosine (CosWM) as a {@link MarkScheme}. */
final class ClassifierMarkScheme implements MarkScheme {

  private final CosineWatermark watermark;

  ClassifierMarkScheme(CosineWatermark watermark) {
    this.watermark = watermark;
  }

  @Override
  public String kind() {
    return "classification";
  }

  @Override
  public double epsilon() {
    return watermark.epsilon();
  }

  @Override
  public Marked markSample(float[] input, float[] logits) {
    CosineWatermark.Marked marked = watermark.markLogits(input, logits);
    return new Marked(marked.logits(), marked.perturbation());
  }

  @Override
  public Marked markSequence(int[] ids, float[] logits) {
    throw new IllegalStateException(
        "distillery.teacher.watermark.key-file holds a classification key but this teacher serves"
            + " a causal LM; create an LM key with 'distillery teacher watermark-key --track lm'");
  }
}
