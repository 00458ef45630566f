package io.distillery.teacher.watermark;

/**
 * What happens to one request's outputs before top-k and temperature: nothing, or the owner's
 * watermark. One instance per request; not thread-safe.
 */
public interface OutputMark {

  /** Leaves outputs as they are. */
  OutputMark NONE =
      new OutputMark() {
        @Override
        public boolean marks() {
          return false;
        }

        @Override
        public float[] apply(float[] input, float[] logits) {
          return logits;
        }

        @Override
        public void finish() {}
      };

  /** Whether this mark changes outputs. */
  boolean marks();

  /**
   * The logits to encode for one sample.
   *
   * @param input the sample's flattened input
   * @param logits the model's logits for it (not changed)
   */
  float[] apply(float[] input, float[] logits);

  /**
   * The logits to encode for one token sequence of a language model.
   *
   * @param ids the sequence; position {@code i}'s distribution is of the token after {@code ids[i]}
   * @param logits (length, vocab) row-major logits for it (not changed)
   */
  default float[] applyToSequence(int[] ids, float[] logits) {
    if (marks()) {
      throw new UnsupportedOperationException("this mark has no language-model form");
    }
    return logits;
  }

  /** Called once after the request's last sample: records the request's perturbation. */
  void finish();
}
