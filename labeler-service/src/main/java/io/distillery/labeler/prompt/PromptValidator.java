package io.distillery.labeler.prompt;

import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.proto.kafka.DecodeFailure;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacherclient.TeacherDescription;

/** Checks a prompt record against the teacher it will be sent to. Pure logic: no Kafka, no gRPC. */
public final class PromptValidator {

  private final int maxPromptBytes;

  /**
   * @param maxPromptBytes largest accepted record value ({@code
   *     distillery.labeler.max-prompt-bytes})
   */
  public PromptValidator(int maxPromptBytes) {
    if (maxPromptBytes < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.max-prompt-bytes must be >= 1, was " + maxPromptBytes);
    }
    this.maxPromptBytes = maxPromptBytes;
  }

  /**
   * Validates one prompt record for {@code teacher}: its size, whether it could be decoded, then
   * its fields.
   *
   * @return the prompt, normalised
   * @throws InvalidPromptException naming the field, the value and what was expected
   */
  public ValidPrompt validate(IncomingPrompt prompt, TeacherDescription teacher) {
    int size = prompt.decoded().raw().length;
    if (size > maxPromptBytes) {
      throw new InvalidPromptException(
          DeadLetterReason.OVERSIZED_INPUT,
          "the record value has "
              + size
              + " bytes; distillery.labeler.max-prompt-bytes allows "
              + maxPromptBytes);
    }
    if (prompt.decoded() instanceof Decoded.Failed<PromptEvent> failed) {
      DecodeFailure failure = failed.failure();
      throw new InvalidPromptException(
          DeadLetterReason.of(failure.reason()), failure.message(), failure.exceptionClass());
    }
    PromptEvent event = ((Decoded.Ok<PromptEvent>) prompt.decoded()).value();
    if (event.getId().isBlank()) {
      throw new InvalidPromptException(
          DeadLetterReason.MISSING_ID,
          "the prompt has no id (field 'id' is empty); record key '" + prompt.key() + "'");
    }
    String id = event.getId();
    PromptEvent normalised =
        switch (event.getInput().getKindCase()) {
          case TENSOR -> withTensor(event, checkTensor(id, event.getInput().getTensor(), teacher));
          case TOKENS -> {
            checkTokens(id, event.getInput().getTokens(), teacher);
            yield event;
          }
          case TEXT ->
              throw new InvalidPromptException(
                  DeadLetterReason.INPUT_KIND_MISMATCH,
                  "prompt '"
                      + id
                      + "' carries input.text; text prompts need a causal-LM teacher, which"
                      + " tokenizes them");
          case KIND_NOT_SET ->
              throw new InvalidPromptException(
                  DeadLetterReason.EMPTY_INPUT,
                  "prompt '"
                      + id
                      + "' has no input (field 'input' holds neither tensor nor tokens)");
        };
    checkLabel(id, event, teacher);
    return new ValidPrompt(prompt, normalised);
  }

  private static Tensor checkTensor(String id, Tensor tensor, TeacherDescription teacher) {
    if (!teacher.takesTensors()) {
      throw new InvalidPromptException(
          DeadLetterReason.INPUT_KIND_MISMATCH,
          "prompt '" + id + "' carries input.tensor but the teacher takes input.tokens");
    }
    if (tensor.getValuesCount() == 0) {
      throw new InvalidPromptException(
          DeadLetterReason.EMPTY_INPUT, "input.tensor.values of prompt '" + id + "' is empty");
    }
    if (tensor.getValuesCount() != teacher.inputSize()) {
      throw new InvalidPromptException(
          DeadLetterReason.TENSOR_SIZE_MISMATCH,
          "input.tensor.values of prompt '"
              + id
              + "' has "
              + tensor.getValuesCount()
              + " values; the teacher's input shape "
              + teacher.inputShape()
              + " needs "
              + teacher.inputSize());
    }
    if (tensor.getShapeCount() > 0 && !tensor.getShapeList().equals(teacher.inputShape())) {
      throw new InvalidPromptException(
          DeadLetterReason.SHAPE_MISMATCH,
          "input.tensor.shape of prompt '"
              + id
              + "' is "
              + tensor.getShapeList()
              + "; the teacher's input shape is "
              + teacher.inputShape()
              + " (or leave shape empty)");
    }
    for (int i = 0; i < tensor.getValuesCount(); i++) {
      float value = tensor.getValues(i);
      if (!Float.isFinite(value)) {
        throw new InvalidPromptException(
            DeadLetterReason.NON_FINITE_VALUE,
            "input.tensor.values[" + i + "] of prompt '" + id + "' is " + value);
      }
    }
    return tensor.getShapeCount() > 0
        ? tensor
        : tensor.toBuilder().addAllShape(teacher.inputShape()).build();
  }

  private static void checkTokens(String id, TokenSequence tokens, TeacherDescription teacher) {
    if (teacher.takesTensors()) {
      throw new InvalidPromptException(
          DeadLetterReason.INPUT_KIND_MISMATCH,
          "prompt '"
              + id
              + "' carries input.tokens but the teacher takes input.tensor of shape "
              + teacher.inputShape());
    }
    if (tokens.getIdsCount() == 0) {
      throw new InvalidPromptException(
          DeadLetterReason.EMPTY_INPUT, "input.tokens.ids of prompt '" + id + "' is empty");
    }
    int maxLength = teacher.maxSequenceLength();
    if (maxLength > 0 && tokens.getIdsCount() > maxLength) {
      throw new InvalidPromptException(
          DeadLetterReason.OVERSIZED_INPUT,
          "input.tokens.ids of prompt '"
              + id
              + "' has "
              + tokens.getIdsCount()
              + " tokens; the teacher accepts at most "
              + maxLength
              + " (limits.max_sequence_length)");
    }
    for (int i = 0; i < tokens.getIdsCount(); i++) {
      int token = tokens.getIds(i);
      if (token < 0 || token >= teacher.outputSize()) {
        throw new InvalidPromptException(
            DeadLetterReason.TOKEN_OUT_OF_RANGE,
            "input.tokens.ids["
                + i
                + "] of prompt '"
                + id
                + "' is "
                + token
                + "; the teacher's vocabulary is [0, "
                + teacher.outputSize()
                + ")");
      }
    }
  }

  private static void checkLabel(String id, PromptEvent event, TeacherDescription teacher) {
    if (event.hasLabelMix() && !event.hasLabel()) {
      throw new InvalidPromptException(
          DeadLetterReason.INVALID_LABEL,
          "prompt '" + id + "' has a label_mix but no label to mix it with");
    }
    if (!event.hasLabel() || teacher.task() != Task.TASK_CLASSIFICATION) {
      return;
    }
    int label = event.getLabel();
    if (label < 0 || label >= teacher.outputSize()) {
      throw new InvalidPromptException(
          DeadLetterReason.INVALID_LABEL,
          "label of prompt '"
              + id
              + "' is "
              + label
              + "; the teacher's classes are [0, "
              + teacher.outputSize()
              + ")");
    }
    if (!event.hasLabelMix()) {
      return;
    }
    int second = event.getLabelMix().getSecondLabel();
    float weight = event.getLabelMix().getWeight();
    if (second < 0 || second >= teacher.outputSize()) {
      throw new InvalidPromptException(
          DeadLetterReason.INVALID_LABEL,
          "label_mix.second_label of prompt '"
              + id
              + "' is "
              + second
              + "; the teacher's classes are [0, "
              + teacher.outputSize()
              + ")");
    }
    if (!(weight >= 0 && weight <= 1)) {
      throw new InvalidPromptException(
          DeadLetterReason.INVALID_LABEL,
          "label_mix.weight of prompt '" + id + "' is " + weight + "; expected a value in [0, 1]");
    }
  }

  private static PromptEvent withTensor(PromptEvent event, Tensor tensor) {
    if (tensor == event.getInput().getTensor()) {
      return event;
    }
    return event.toBuilder().setInput(event.getInput().toBuilder().setTensor(tensor)).build();
  }
}
