package io.distillery.teacher.task.causallm;

import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacher.labeling.InvalidRequestException;

/**
 * Checks a causal LM's samples and generation settings against its limits: token ids, 1 to the
 * context length of them, each inside the vocabulary, and room in the context for the tokens to
 * generate.
 */
final class TokenSamples {

  private final int vocabSize;
  private final int context;
  private final String tokenizerSha256;

  TokenSamples(int vocabSize, int context, String tokenizerSha256) {
    this.vocabSize = vocabSize;
    this.context = context;
    this.tokenizerSha256 = tokenizerSha256;
  }

  /**
   * @throws InvalidRequestException naming the first field that breaks the contract
   */
  void validate(LabelRequest request) {
    int maxNew = 0;
    if (request.hasGeneration()) {
      GenerationSettings generation = request.getGeneration();
      maxNew = generation.getMaxNewTokens();
      if (maxNew < 0) {
        throw new InvalidRequestException(
            "generation",
            "generation.max_new_tokens: " + maxNew + " is negative; 0 labels the prompt only");
      }
      float temperature = generation.getSamplingTemperature();
      if (!(temperature >= 0) || Float.isInfinite(temperature)) {
        throw new InvalidRequestException(
            "generation",
            "generation.sampling_temperature: must be a finite number >= 0 (0 = greedy), got "
                + temperature);
      }
    }
    for (int i = 0; i < request.getSamplesCount(); i++) {
      validate(i, request.getSamples(i), maxNew);
    }
  }

  private void validate(int index, ModelInput input, int maxNew) {
    String field = "samples[" + index + "]";
    if (!input.hasTokens()) {
      throw new InvalidRequestException(
          "input-kind",
          field
              + ": expected token ids (tokens), got "
              + describe(input)
              + "; tokenize text with the teacher's tokenizer.json (sha256 "
              + tokenizerSha256
              + ")");
    }
    TokenSequence tokens = input.getTokens();
    int length = tokens.getIdsCount();
    if (length == 0) {
      throw new InvalidRequestException(
          "empty-sequence",
          field + ".tokens.ids: the sequence is empty; send 1 to " + context + " token ids");
    }
    if (length > context) {
      throw new InvalidRequestException(
          "too-long",
          field
              + ".tokens.ids: "
              + length
              + " tokens exceed the teacher's longest sequence of "
              + context
              + " (limits.max_sequence_length); cut the text into windows");
    }
    for (int t = 0; t < length; t++) {
      int id = tokens.getIds(t);
      if (id < 0 || id >= vocabSize) {
        throw new InvalidRequestException(
            "token-id",
            field
                + ".tokens.ids["
                + t
                + "]: id "
                + id
                + " is outside the vocabulary [0, "
                + vocabSize
                + ")");
      }
    }
    if (length + (long) maxNew > context) {
      throw new InvalidRequestException(
          "too-long",
          "generation.max_new_tokens: "
              + maxNew
              + " new tokens after the "
              + length
              + " tokens of "
              + field
              + " exceed the teacher's longest sequence of "
              + context
              + " (limits.max_sequence_length)");
    }
  }

  private static String describe(ModelInput input) {
    return switch (input.getKindCase()) {
      case TENSOR -> "a tensor";
      case TEXT -> "text (the labeler tokenizes text; the teacher takes token ids)";
      default -> "no input";
    };
  }
}
