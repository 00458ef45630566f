package io.distillery.teacherclient;

import io.distillery.proto.v1.ModelInput;
import java.util.List;

/**
 * What to ask the teacher to label.
 *
 * @param samples the inputs, in order
 * @param topK entries kept per position
 * @param temperature softmax temperature of the returned log-probabilities (&gt; 0)
 * @param maxBatchSize largest request the teacher accepts (its card's {@code
 *     limits.max_batch_size}); a larger call is split into requests of at most this many samples
 *     and reassembled in order. 0 means no limit.
 */
public record LabelCall(List<ModelInput> samples, int topK, float temperature, int maxBatchSize) {

  /** Copies the samples and validates. */
  public LabelCall {
    samples = List.copyOf(samples);
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("a Label call needs at least one sample");
    }
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("max batch size must be >= 0, got " + maxBatchSize);
    }
  }

  /** A call whose size the teacher's limits of {@code teacher} cap. */
  public static LabelCall of(
      List<ModelInput> samples, int topK, float temperature, TeacherDescription teacher) {
    return new LabelCall(samples, topK, temperature, teacher.maxBatchSize());
  }
}
