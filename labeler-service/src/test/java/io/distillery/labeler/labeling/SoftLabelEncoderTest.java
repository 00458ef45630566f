package io.distillery.labeler.labeling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.distillery.labeler.prompt.IncomingPrompt;
import io.distillery.labeler.prompt.PromptValidator;
import io.distillery.labeler.prompt.ValidPrompt;
import io.distillery.labeler.support.Cards;
import io.distillery.labeler.support.Prompts;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.kafka.PromptRecordDeserializer;
import io.distillery.proto.v1.LabelMix;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.proto.v1.TokenWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A soft label written with the prompt record's input bytes and the card's cached bytes is the
 * same, byte for byte, as protobuf's own encoding of the event.
 */
class SoftLabelEncoderTest {

  private final SoftLabelEncoder encoder = new SoftLabelEncoder();

  private static ValidPrompt fromRecord(PromptEvent prompt) {
    IncomingPrompt incoming =
        new IncomingPrompt(
            prompt.getId(),
            new PromptEventDeserializer().deserialize("t", prompt.toByteArray()),
            SourceRecord.newBuilder().setTopic("t").setPartition(1).setOffset(42).build());
    return new PromptValidator(65_536).validate(incoming, Cards.allowedFashion());
  }

  private static SoftLabelEvent.Builder everyField(ValidPrompt prompt, TeacherCard card) {
    PromptEvent event = prompt.event();
    return SoftLabelEvent.newBuilder()
        .setPromptId(event.getId())
        .setDataset("fashion-mnist/train")
        .setInput(event.getInput())
        .setLabel(event.getLabel())
        .setTeacher(card)
        .setTopK(5)
        .setTemperature(2f)
        .setPositions(1)
        .setDistributions(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5}))
        .setSource(prompt.origin().source())
        .setForbiddenTeacherOverride(true)
        .setLabelledAtMs(1_765_000_000_000L)
        .putAttributes("source", "img-7")
        .putAttributes("transform", "flip")
        .setLabelMix(LabelMix.newBuilder().setSecondLabel(2).setWeight(0.25f))
        .setDistributionsFormat(2)
        .setWindow(TokenWindow.newBuilder().setIndex(1).setCount(3).setFirstToken(64))
        .addAllGeneratedIds(List.of(3, 1, 4));
  }

  @Test
  void aLabelWithEveryFieldIsByteForByteProtobufsEncoding() throws Exception {
    ValidPrompt prompt = fromRecord(Prompts.image("p1", 3).toBuilder().setLabel(7).build());
    SoftLabelEvent event = everyField(prompt, Cards.allowedFashion().card()).build();

    byte[] encoded = encoder.encode(event, prompt.encodedInput());

    assertArrayEquals(event.toByteArray(), encoded);
    assertEquals(event, SoftLabelEvent.parseFrom(encoded));
  }

  @Test
  void aPromptWhoseFloatsWereLeftInTheRecordGetsTheSameBytes() throws Exception {
    PromptEvent record = Prompts.image("p1b", 3).toBuilder().setLabel(7).build();
    ValidPrompt parsed = fromRecord(record);
    IncomingPrompt leftInPlace =
        new IncomingPrompt(
            record.getId(),
            new PromptRecordDeserializer().deserialize("t", record.toByteArray()),
            SourceRecord.newBuilder().setTopic("t").setPartition(1).setOffset(42).build(),
            List.of());
    ValidPrompt packed = new PromptValidator(65_536).validate(leftInPlace, Cards.allowedFashion());
    // The packed prompt's event has no floats: only the record's bytes carry them.
    assertEquals(0, packed.event().getInput().getTensor().getValuesCount());
    TeacherCard card = Cards.allowedFashion().card();
    SoftLabelEvent expected = everyField(parsed, card).build();

    byte[] encoded = encoder.encode(everyField(packed, card).build(), packed.encodedInput());

    assertArrayEquals(expected.toByteArray(), encoded);
    assertEquals(784, SoftLabelEvent.parseFrom(encoded).getInput().getTensor().getValuesCount());
  }

  @Test
  void absentOptionalFieldsStayAbsent() throws Exception {
    ValidPrompt prompt = fromRecord(Prompts.image("p2", 4));
    SoftLabelEvent event =
        SoftLabelEvent.newBuilder()
            .setPromptId(prompt.event().getId())
            .setInput(prompt.event().getInput())
            .setPositions(1)
            .build();

    byte[] encoded = encoder.encode(event, prompt.encodedInput());

    assertArrayEquals(event.toByteArray(), encoded);
    SoftLabelEvent parsed = SoftLabelEvent.parseFrom(encoded);
    assertEquals(false, parsed.hasLabel());
    assertEquals(false, parsed.hasTeacher());
    assertEquals(event, parsed);
  }

  @Test
  void aLabelOfZeroIsWrittenAsPresent() throws Exception {
    ValidPrompt prompt = fromRecord(Prompts.image("p3", 5).toBuilder().setLabel(0).build());
    SoftLabelEvent event = everyField(prompt, Cards.allowedFashion().card()).setLabel(0).build();

    byte[] encoded = encoder.encode(event, prompt.encodedInput());

    assertArrayEquals(event.toByteArray(), encoded);
    assertEquals(true, SoftLabelEvent.parseFrom(encoded).hasLabel());
  }

  @Test
  void aChangedCardIsEncodedAgainNotServedFromTheCache() throws Exception {
    ValidPrompt prompt = fromRecord(Prompts.image("p4", 6));
    TeacherCard first = Cards.allowedFashion().card();
    TeacherCard second = first.toBuilder().setVersion(first.getVersion() + "-v2").build();

    SoftLabelEvent withFirst = everyField(prompt, first).build();
    SoftLabelEvent withSecond = everyField(prompt, second).build();

    assertArrayEquals(withFirst.toByteArray(), encoder.encode(withFirst, prompt.encodedInput()));
    assertArrayEquals(withSecond.toByteArray(), encoder.encode(withSecond, prompt.encodedInput()));
    assertArrayEquals(withFirst.toByteArray(), encoder.encode(withFirst, prompt.encodedInput()));
  }

  @Test
  void tokenInputsAndNonCanonicalInputBytesParseToTheSameLabel() throws Exception {
    ModelInput tokens =
        ModelInput.newBuilder()
            .setTokens(TokenSequence.newBuilder().addAllIds(List.of(5, 6, 7)))
            .build();
    ValidPrompt prompt = fromRecord(Prompts.image("p5", 7));
    SoftLabelEvent event =
        everyField(prompt, Cards.allowedFashion().card()).setInput(tokens).build();
    // The same input with its field written twice: a producer may encode it so; it merges.
    ByteString split =
        tokens.toBuilder()
            .clearTokens()
            .setTokens(TokenSequence.newBuilder().addIds(5))
            .build()
            .toByteString()
            .concat(tokens.toByteString());
    ModelInput merged = ModelInput.parseFrom(split);

    byte[] canonical = encoder.encode(event, tokens.toByteString());
    byte[] spliced = encoder.encode(event.toBuilder().setInput(merged).build(), split);

    assertArrayEquals(event.toByteArray(), canonical);
    assertEquals(event.toBuilder().setInput(merged).build(), SoftLabelEvent.parseFrom(spliced));
  }
}
