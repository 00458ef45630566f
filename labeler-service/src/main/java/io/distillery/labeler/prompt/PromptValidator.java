package io.distillery.labeler.prompt;

import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.labeler.gate.LabelingPlan;
import io.distillery.labeler.text.TextTokenization;
import io.distillery.labeler.text.TokenizedText;
import io.distillery.proto.kafka.DecodeFailure;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PackedFloats;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacherclient.TeacherDescription;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Checks a prompt record against the teacher it will be sent to. Pure logic: no Kafka, no gRPC. */
public final class PromptValidator {

  /** Default of {@code distillery.labeler.text.max-bytes}. */
  public static final int DEFAULT_MAX_TEXT_BYTES = 65_536;

  private final int maxPromptBytes;
  private final int maxTextBytes;
  private final TextTokenization tokenization;

  /**
   * @param maxPromptBytes largest accepted record value ({@code
   *     distillery.labeler.max-prompt-bytes})
   */
  public PromptValidator(int maxPromptBytes) {
    this(maxPromptBytes, DEFAULT_MAX_TEXT_BYTES, null);
  }

  /**
   * @param maxPromptBytes largest accepted record value ({@code
   *     distillery.labeler.max-prompt-bytes})
   * @param maxTextBytes largest text of a text prompt in UTF-8 bytes ({@code
   *     distillery.labeler.text.max-bytes})
   * @param tokenization the teacher's tokenizer, or {@code null} when none is configured
   */
  public PromptValidator(int maxPromptBytes, int maxTextBytes, TextTokenization tokenization) {
    if (maxPromptBytes < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.max-prompt-bytes must be >= 1, was " + maxPromptBytes);
    }
    if (maxTextBytes < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.text.max-bytes must be >= 1, was " + maxTextBytes);
    }
    this.maxPromptBytes = maxPromptBytes;
    this.maxTextBytes = maxTextBytes;
    this.tokenization = tokenization;
  }

  /**
   * Validates one prompt record for the plan's teacher and turns it into the samples to label: one
   * for a tensor or token prompt, one per window for a text prompt.
   *
   * @throws InvalidPromptException naming the field, the value and what was expected
   */
  public List<ValidPrompt> validateAll(IncomingPrompt prompt, LabelingPlan plan) {
    checkUtf8(prompt);
    if (prompt.decoded() instanceof Decoded.Ok<PromptEvent> ok
        && ok.value().getInput().getKindCase() == ModelInput.KindCase.TEXT
        && prompt.decoded().raw().length <= maxPromptBytes
        && !ok.value().getId().isBlank()) {
      return text(prompt, ok.value(), plan);
    }
    return List.of(validate(prompt, plan.teacher()));
  }

  /** Strict UTF-8: JSON records must be UTF-8; protobuf already checks its string fields. */
  private static void checkUtf8(IncomingPrompt prompt) {
    Decoded<PromptEvent> decoded = prompt.decoded();
    boolean json =
        (decoded instanceof Decoded.Ok<PromptEvent> ok && ok.format() == Decoded.WireFormat.JSON)
            || (decoded instanceof Decoded.Failed<PromptEvent> failed
                && failed.failure().reason() == DecodeFailure.Reason.INVALID_JSON);
    if (json) {
      try {
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(decoded.raw()));
      } catch (CharacterCodingException e) {
        throw new InvalidPromptException(
            DeadLetterReason.INVALID_UTF8,
            "the record value is not valid UTF-8 ("
                + e.getMessage()
                + "); JSON prompts and their text must be UTF-8",
            e.getClass().getName());
      }
    } else if (decoded instanceof Decoded.Failed<PromptEvent> failed
        && failed.failure().message().contains("invalid UTF-8")) {
      throw new InvalidPromptException(
          DeadLetterReason.INVALID_UTF8,
          failed.failure().message(),
          failed.failure().exceptionClass());
    }
  }

  private List<ValidPrompt> text(IncomingPrompt prompt, PromptEvent event, LabelingPlan plan) {
    String id = event.getId();
    TeacherDescription teacher = plan.teacher();
    if (!teacher.causalLm()) {
      throw new InvalidPromptException(
          DeadLetterReason.INPUT_KIND_MISMATCH,
          "prompt '"
              + id
              + "' carries input.text; text prompts need a causal-LM teacher, which"
              + " tokenizes them");
    }
    String text = event.getInput().getText();
    if (text.isEmpty()) {
      throw new InvalidPromptException(
          DeadLetterReason.EMPTY_TEXT, "input.text of prompt '" + id + "' is empty");
    }
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxTextBytes) {
      throw new InvalidPromptException(
          DeadLetterReason.OVERSIZED_TEXT,
          "input.text of prompt '"
              + id
              + "' has "
              + bytes
              + " UTF-8 bytes; distillery.labeler.text.max-bytes allows "
              + maxTextBytes);
    }
    if (tokenization == null) {
      throw new InvalidPromptException(
          DeadLetterReason.NO_TOKENIZER,
          "prompt '"
              + id
              + "' carries input.text but no tokenizer is configured; set"
              + " distillery.labeler.text.tokenizer to the teacher's tokenizer.json");
    }
    TokenizedText tokens = tokenization.tokenize(text);
    if (tokens.size() == 0) {
      throw new InvalidPromptException(
          DeadLetterReason.EMPTY_TEXT, "input.text of prompt '" + id + "' has no tokens");
    }
    for (int i = 0; i < tokens.size(); i++) {
      int token = tokens.ids()[i];
      if (token < 0 || token >= teacher.vocabularySize()) {
        throw new InvalidPromptException(
            DeadLetterReason.TOKEN_OUT_OF_RANGE,
            "token "
                + i
                + " of input.text of prompt '"
                + id
                + "' is "
                + token
                + "; the teacher's vocabulary is [0, "
                + teacher.vocabularySize()
                + ")");
      }
    }
    return TextWindows.cut(prompt, event, tokens, plan.windowTokens());
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
          case TENSOR ->
              withTensor(
                  event,
                  checkTensor(id, event.getInput().getTensor(), prompt.tensorValues(), teacher));
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

  /**
   * @param packed the tensor's values when they were left in the record's bytes ({@code tensor}
   *     then has none), else null
   */
  private static Tensor checkTensor(
      String id, Tensor tensor, PackedFloats packed, TeacherDescription teacher) {
    if (!teacher.takesTensors()) {
      throw new InvalidPromptException(
          DeadLetterReason.INPUT_KIND_MISMATCH,
          "prompt '" + id + "' carries input.tensor but the teacher takes input.tokens");
    }
    int count = packed != null ? packed.count() : tensor.getValuesCount();
    if (count == 0) {
      throw new InvalidPromptException(
          DeadLetterReason.EMPTY_INPUT, "input.tensor.values of prompt '" + id + "' is empty");
    }
    if (count != teacher.inputSize()) {
      throw new InvalidPromptException(
          DeadLetterReason.TENSOR_SIZE_MISMATCH,
          "input.tensor.values of prompt '"
              + id
              + "' has "
              + count
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
    int nonFinite = packed != null ? packed.firstNonFinite() : firstNonFinite(tensor);
    if (nonFinite >= 0) {
      float value = packed != null ? packed.get(nonFinite) : tensor.getValues(nonFinite);
      throw new InvalidPromptException(
          DeadLetterReason.NON_FINITE_VALUE,
          "input.tensor.values[" + nonFinite + "] of prompt '" + id + "' is " + value);
    }
    if (tensor.getShapeCount() > 0) {
      return tensor;
    }
    if (packed != null) {
      // The record deserializer leaves values in place only for tensors with a shape: a tensor
      // given the teacher's shape here is re-encoded, and that needs its values.
      throw new IllegalStateException("prompt '" + id + "': packed values of a shapeless tensor");
    }
    return tensor.toBuilder().addAllShape(teacher.inputShape()).build();
  }

  private static int firstNonFinite(Tensor tensor) {
    for (int i = 0; i < tensor.getValuesCount(); i++) {
      if (!Float.isFinite(tensor.getValues(i))) {
        return i;
      }
    }
    return -1;
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
