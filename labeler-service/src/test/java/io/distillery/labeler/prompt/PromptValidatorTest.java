package io.distillery.labeler.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.labeler.support.Cards;
import io.distillery.labeler.support.Prompts;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacherclient.TeacherDescription;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Validation rules, one per dead-letter reason. Plain JUnit: the validator is pure logic over
 * decoded prompts and a teacher card, so neither Kafka nor a teacher is needed to test it.
 */
class PromptValidatorTest {

  private static final TeacherDescription FASHION = Cards.allowedFashion();
  private final PromptValidator validator = new PromptValidator(65_536);

  @Test
  void aValidPromptWithoutShapeGetsTheTeachersShape() {
    PromptEvent prompt =
        PromptEvent.newBuilder()
            .setId("p1")
            .setInput(ModelInput.newBuilder().setTensor(valuesOnly(784)))
            .build();

    ValidPrompt valid = validator.validate(incoming(prompt), FASHION);

    assertEquals(List.of(1L, 28L, 28L), valid.event().getInput().getTensor().getShapeList());
    assertEquals(784, valid.event().getInput().getTensor().getValuesCount());
  }

  @Test
  void aValidPromptWithTheTeachersShapeIsKeptAsItIs() {
    PromptEvent prompt = Prompts.image("p2", 3);

    assertEquals(prompt, validator.validate(incoming(prompt), FASHION).event());
  }

  @Test
  void undecodableBytesKeepTheDeserializersReasonAndException() {
    InvalidPromptException e = reject(incoming(new byte[] {0x0F, 0x00}), FASHION);

    assertEquals(DeadLetterReason.MALFORMED_PROTOBUF, e.reason());
    assertTrue(e.exceptionClass().startsWith("com.google.protobuf.InvalidProtocolBuffer"));
  }

  @Test
  void oversizedRecordsAreRejectedBeforeAnythingElse() {
    PromptValidator strict = new PromptValidator(100);
    IncomingPrompt prompt = incoming(Prompts.image("p", 1));

    InvalidPromptException e =
        assertThrows(InvalidPromptException.class, () -> strict.validate(prompt, FASHION));

    assertEquals(DeadLetterReason.OVERSIZED_INPUT, e.reason());
    assertTrue(e.getMessage().contains("distillery.labeler.max-prompt-bytes allows 100"));
  }

  @Test
  void rejectsAMissingId() {
    assertRejected(Prompts.image("", 1), DeadLetterReason.MISSING_ID, "'id'");
  }

  @Test
  void rejectsAMissingOrEmptyInput() {
    assertRejected(
        PromptEvent.newBuilder().setId("p").build(), DeadLetterReason.EMPTY_INPUT, "'input'");
    assertRejected(
        withTensor(Tensor.newBuilder()), DeadLetterReason.EMPTY_INPUT, "input.tensor.values");
  }

  @Test
  void rejectsATensorWhoseSizeIsNotTheTeachersInputSize() {
    assertRejected(
        withTensor(valuesOnly(783)), DeadLetterReason.TENSOR_SIZE_MISMATCH, "has 783 values");
  }

  @Test
  void rejectsADeclaredShapeOtherThanTheTeachers() {
    assertRejected(
        withTensor(valuesOnly(784).addShape(28).addShape(28)),
        DeadLetterReason.SHAPE_MISMATCH,
        "[28, 28]");
  }

  @Test
  void rejectsNonFiniteValuesNamingTheIndex() {
    assertRejected(
        withTensor(valuesOnly(784).setValues(42, Float.POSITIVE_INFINITY)),
        DeadLetterReason.NON_FINITE_VALUE,
        "values[42]");
  }

  @Test
  void rejectsALabelOutsideTheTeachersClasses() {
    assertRejected(
        Prompts.image("p", 1).toBuilder().setLabel(-1).build(),
        DeadLetterReason.INVALID_LABEL,
        "[0, 10)");
  }

  @Test
  void rejectsTokensForATensorTeacherAndTensorsForATokenTeacher() {
    PromptEvent tokens = withTokens(1, 2, 3);
    assertRejected(tokens, DeadLetterReason.INPUT_KIND_MISMATCH, "input.tokens");
    InvalidPromptException e = reject(incoming(Prompts.image("p", 1)), Cards.byteLm());
    assertEquals(DeadLetterReason.INPUT_KIND_MISMATCH, e.reason());
  }

  @Test
  void checksTokenSequencesAgainstVocabularyAndLength() {
    TeacherDescription lm = Cards.byteLm();
    assertEquals(
        3,
        validator
            .validate(incoming(withTokens(1, 2, 255)), lm)
            .event()
            .getInput()
            .getTokens()
            .getIdsCount());

    InvalidPromptException outOfRange = reject(incoming(withTokens(1, 256)), lm);
    assertEquals(DeadLetterReason.TOKEN_OUT_OF_RANGE, outOfRange.reason());
    assertTrue(outOfRange.getMessage().contains("input.tokens.ids[1]"));

    InvalidPromptException tooLong = reject(incoming(withTokens(new int[17])), lm);
    assertEquals(DeadLetterReason.OVERSIZED_INPUT, tooLong.reason());
    assertTrue(tooLong.getMessage().contains("max_sequence_length"));
  }

  private void assertRejected(PromptEvent prompt, DeadLetterReason reason, String named) {
    InvalidPromptException e = reject(incoming(prompt), FASHION);
    assertEquals(reason, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains(named), "'" + e.getMessage() + "' names " + named);
    assertEquals(InvalidPromptException.class.getName(), e.exceptionClass());
  }

  private InvalidPromptException reject(IncomingPrompt prompt, TeacherDescription teacher) {
    return assertThrows(InvalidPromptException.class, () -> validator.validate(prompt, teacher));
  }

  private static IncomingPrompt incoming(PromptEvent prompt) {
    return incoming(prompt.toByteArray());
  }

  private static IncomingPrompt incoming(byte[] bytes) {
    Decoded<PromptEvent> decoded = new PromptEventDeserializer().deserialize("t", bytes);
    return new IncomingPrompt(
        "key", decoded, SourceRecord.newBuilder().setTopic("t").setOffset(7).build());
  }

  private static Tensor.Builder valuesOnly(int count) {
    Tensor.Builder tensor = Tensor.newBuilder();
    for (int i = 0; i < count; i++) {
      tensor.addValues(0.5f);
    }
    return tensor;
  }

  private static PromptEvent withTensor(Tensor.Builder tensor) {
    return PromptEvent.newBuilder()
        .setId("p")
        .setInput(ModelInput.newBuilder().setTensor(tensor))
        .build();
  }

  private static PromptEvent withTokens(int... ids) {
    TokenSequence.Builder tokens = TokenSequence.newBuilder();
    for (int id : ids) {
      tokens.addIds(id);
    }
    return PromptEvent.newBuilder()
        .setId("p")
        .setInput(ModelInput.newBuilder().setTokens(tokens))
        .build();
  }
}
