package io.distillery.labeler.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.config.LabelerConfig.ExpectedTask;
import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.labeler.gate.GateDecision;
import io.distillery.labeler.gate.GatePolicy;
import io.distillery.labeler.gate.LabelingPlan;
import io.distillery.labeler.support.Cards;
import io.distillery.labeler.support.TestTokenizer;
import io.distillery.labeler.text.TextTokenization;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.teacherclient.TeacherDescription;
import io.distillery.teacherclient.testing.BigramTeacher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text prompts without Kafka: tokenized with the test tokenizer, windows shortened for generation,
 * strict UTF-8 for protobuf too, and the gate's tokenizer and generation checks.
 */
class TextValidationTest {

  private static final int CONTEXT = 16;
  private static TextTokenization tokenization;
  private static TeacherDescription lm;

  @BeforeAll
  static void load() throws Exception {
    tokenization = TextTokenization.load(TestTokenizer.file());
    lm =
        new TeacherDescription(
            BigramTeacher.card(
                TestTokenizer.VOCABULARY,
                CONTEXT,
                tokenization.sha256(),
                TestTokenizer.END_OF_TEXT));
  }

  @AfterAll
  static void close() {
    tokenization.close();
  }

  private static IncomingPrompt incoming(byte[] bytes) {
    return new IncomingPrompt(
        "key",
        new PromptEventDeserializer().deserialize("t", bytes),
        SourceRecord.newBuilder().setTopic("t").build());
  }

  private static IncomingPrompt text(String id, String text) {
    return incoming(
        PromptEvent.newBuilder()
            .setId(id)
            .setInput(ModelInput.newBuilder().setText(text))
            .build()
            .toByteArray());
  }

  @Test
  void generationShortensTheWindowsSoPromptAndContinuationFitTheContext() {
    GenerationSettings generation = GenerationSettings.newBuilder().setMaxNewTokens(6).build();
    LabelingPlan plan = new LabelingPlan(lm, 4, 1f, 8, false, generation);
    String text = "Emma Woodhouse, handsome, clever, and rich, with a comfortable home.";
    int tokens = tokenization.tokenize(text).size();

    List<ValidPrompt> windows =
        new PromptValidator(65_536, 65_536, tokenization).validateAll(text("emma", text), plan);

    assertEquals(10, plan.windowTokens());
    assertEquals((tokens + 9) / 10, windows.size());
    for (int n = 0; n < windows.size(); n++) {
      ValidPrompt window = windows.get(n);
      assertEquals("emma#" + n, window.event().getId());
      assertEquals(n * 10, window.window().getFirstToken());
      assertTrue(window.event().getInput().getTokens().getIdsCount() <= 10);
    }
  }

  @Test
  void invalidUtf8InAProtobufTextFieldIsInvalidUtf8() throws Exception {
    // PromptEvent{id: "x", input: ModelInput{text: 0xFF 'a'}} written by hand.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(new byte[] {0x0A, 0x01, 'x'});
    bytes.write(new byte[] {0x1A, 0x04, 0x1A, 0x02, (byte) 0xFF, 'a'});

    InvalidPromptException e =
        assertThrows(
            InvalidPromptException.class,
            () ->
                new PromptValidator(65_536, 65_536, tokenization)
                    .validateAll(
                        incoming(bytes.toByteArray()), new LabelingPlan(lm, 4, 1f, 8, false)));

    assertEquals(DeadLetterReason.INVALID_UTF8, e.reason());
  }

  @Test
  void textWithoutATokenizerOrForAClassifierIsRejectedWithItsReason() {
    InvalidPromptException noTokenizer =
        assertThrows(
            InvalidPromptException.class,
            () ->
                new PromptValidator(65_536, 65_536, null)
                    .validateAll(text("t", "some text"), new LabelingPlan(lm, 4, 1f, 8, false)));
    InvalidPromptException classifier =
        assertThrows(
            InvalidPromptException.class,
            () ->
                new PromptValidator(65_536, 65_536, tokenization)
                    .validateAll(
                        text("t", "some text"),
                        new LabelingPlan(Cards.allowedFashion(), 10, 1f, 8, false)));

    assertEquals(DeadLetterReason.NO_TOKENIZER, noTokenizer.reason());
    assertEquals(DeadLetterReason.INPUT_KIND_MISMATCH, classifier.reason());
  }

  @Test
  void theGateRefusesAForeignTokenizerNamingBothHashesAndGenerationForAClassifier() {
    GatePolicy foreign =
        new GatePolicy(ExpectedTask.CAUSAL_LM, List.of(), 4, 1f, 8, false, "f00d", null);
    GatePolicy matching =
        new GatePolicy(
            ExpectedTask.CAUSAL_LM, List.of(), 4, 1f, 8, false, tokenization.sha256(), null);
    GatePolicy generatingClassifier =
        new GatePolicy(
            ExpectedTask.CLASSIFICATION,
            List.of(1L, 28L, 28L),
            0,
            1f,
            8,
            false,
            null,
            GenerationSettings.newBuilder().setMaxNewTokens(4).build());

    String reason = ((GateDecision.Blocked) foreign.evaluate(lm)).reason();
    assertTrue(reason.contains("f00d") && reason.contains(tokenization.sha256()), reason);
    assertTrue(matching.evaluate(lm) instanceof GateDecision.Open);
    String classifier =
        ((GateDecision.Blocked) generatingClassifier.evaluate(Cards.allowedFashion())).reason();
    assertTrue(
        classifier.contains("generation.enabled=true needs a causal-LM teacher"), classifier);
  }

  @Test
  void byteRangesOfMultiByteCharactersCoverTheirBytes() {
    String text = "café — naïve";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);

    var tokens = tokenization.tokenize(text);

    assertEquals(0, tokens.byteStarts()[0]);
    assertEquals(utf8.length, tokens.byteEnds()[tokens.size() - 1]);
    for (int i = 1; i < tokens.size(); i++) {
      assertTrue(tokens.byteStarts()[i] >= tokens.byteStarts()[i - 1], "ordered at " + i);
    }
  }
}
