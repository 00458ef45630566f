package io.distillery.teacherclient;

import io.distillery.proto.v1.GenerationSettings;
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
 * @param generation causal LMs: continue each token prompt before labelling (the answer then holds
 *     the generated ids and their distributions); {@code null} or 0 new tokens labels the prompt
 *     only
 */
public record LabelCall(
    List<ModelInput> samples,
    int topK,
    float temperature,
    int maxBatchSize,
    GenerationSettings generation) {

  /** Copies the samples and validates. */
  public LabelCall {
    samples = List.copyOf(samples);
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("a Label call needs at least one sample");
    }
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("max batch size must be >= 0, got " + maxBatchSize);
    }
    if (generation != null && generation.getMaxNewTokens() < 0) {
      throw new IllegalArgumentException(
          "generation.max_new_tokens must be >= 0, got " + generation.getMaxNewTokens());
    }
    if (generation != null && generation.getMaxNewTokens() == 0) {
      generation = null;
    }
  }

  /** A call without generation. */
  public LabelCall(List<ModelInput> samples, int topK, float temperature, int maxBatchSize) {
    this(samples, topK, temperature, maxBatchSize, null);
  }

  /** A call whose size the teacher's limits of {@code teacher} cap. */
  public static LabelCall of(
      List<ModelInput> samples, int topK, float temperature, TeacherDescription teacher) {
    return new LabelCall(samples, topK, temperature, teacher.maxBatchSize());
  }

  /** This call, continuing every prompt as {@code settings} say. */
  public LabelCall withGeneration(GenerationSettings settings) {
    return new LabelCall(samples, topK, temperature, maxBatchSize, settings);
  }

  /** Whether the teacher is asked to generate. */
  public boolean generates() {
    return generation != null;
  }
}
