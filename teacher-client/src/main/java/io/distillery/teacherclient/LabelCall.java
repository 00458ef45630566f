package io.distillery.teacherclient;

import com.google.protobuf.ByteString;
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
 * @param encodedSamples the same samples already encoded as {@code ModelInput} bytes, sent as they
 *     are instead of being serialised again; {@code null} when the caller has no encoding
 */
public record LabelCall(
    List<ModelInput> samples,
    int topK,
    float temperature,
    int maxBatchSize,
    GenerationSettings generation,
    List<ByteString> encodedSamples) {

  /** Copies the samples and validates. */
  public LabelCall {
    samples = List.copyOf(samples);
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("a Label call needs at least one sample");
    }
    if (encodedSamples != null) {
      encodedSamples = List.copyOf(encodedSamples);
      if (encodedSamples.size() != samples.size()) {
        throw new IllegalArgumentException(
            encodedSamples.size() + " encoded samples for " + samples.size() + " samples");
      }
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

  /** A call whose samples are serialised by protobuf. */
  public LabelCall(
      List<ModelInput> samples,
      int topK,
      float temperature,
      int maxBatchSize,
      GenerationSettings generation) {
    this(samples, topK, temperature, maxBatchSize, generation, null);
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
    return new LabelCall(samples, topK, temperature, maxBatchSize, settings, encodedSamples);
  }

  /**
   * This call, sending {@code encoded} (the samples' {@code ModelInput} encodings, in order) as
   * they are. The caller vouches that each parses to the sample at its index.
   */
  public LabelCall withEncodedSamples(List<ByteString> encoded) {
    return new LabelCall(samples, topK, temperature, maxBatchSize, generation, encoded);
  }

  /** Whether the teacher is asked to generate. */
  public boolean generates() {
    return generation != null;
  }
}
