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

  /** Called once after the request's last sample: records the request's perturbation. */
  void finish();
}
