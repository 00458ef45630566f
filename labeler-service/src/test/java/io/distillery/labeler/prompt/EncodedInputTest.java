package io.distillery.labeler.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.distillery.labeler.support.Cards;
import io.distillery.labeler.support.Prompts;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.proto.v1.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The input bytes a prompt sends to the teacher: a slice of its own record when it is labelled as
 * it came, else its (normalised) input serialised; either way they parse to the input labelled.
 */
class EncodedInputTest {

  private final PromptValidator validator = new PromptValidator(65_536);

  private static IncomingPrompt incoming(byte[] bytes) {
    Decoded<PromptEvent> decoded = new PromptEventDeserializer().deserialize("t", bytes);
    return new IncomingPrompt("key", decoded, SourceRecord.newBuilder().setTopic("t").build());
  }

  private ValidPrompt valid(byte[] bytes) {
    return validator.validate(incoming(bytes), Cards.allowedFashion());
  }

  @Test
  void aPromptLabelledAsItCameSendsItsRecordsOwnBytes() throws Exception {
    PromptEvent prompt = Prompts.image("p1", 3).toBuilder().setDataset("fashion").build();
    byte[] record = prompt.toByteArray();

    ByteString encoded = valid(record).encodedInput();

    assertEquals(prompt.getInput().toByteString(), encoded);
    assertEquals(prompt.getInput(), ModelInput.parseFrom(encoded));
    assertArrayEquals(prompt.getInput().toByteArray(), encoded.toByteArray());
  }

  @Test
  void aNormalisedPromptSendsItsNormalisedInput() throws Exception {
    Tensor.Builder valuesOnly = Tensor.newBuilder();
    for (int i = 0; i < 784; i++) {
      valuesOnly.addValues(i / 784f);
    }
    PromptEvent prompt =
        PromptEvent.newBuilder()
            .setId("p2")
            .setInput(ModelInput.newBuilder().setTensor(valuesOnly))
            .build();

    ValidPrompt valid = valid(prompt.toByteArray());
    ModelInput sent = ModelInput.parseFrom(valid.encodedInput());

    assertEquals(valid.event().getInput(), sent);
    assertEquals(List.of(1L, 28L, 28L), sent.getTensor().getShapeList());
  }

  @Test
  void aJsonPromptSendsItsInputSerialised() throws Exception {
    PromptEvent prompt = Prompts.image("p3", 5);
    byte[] json = JsonFormat.printer().print(prompt).getBytes(StandardCharsets.UTF_8);

    ValidPrompt valid = valid(json);

    assertEquals(prompt.getInput(), ModelInput.parseFrom(valid.encodedInput()));
  }

  @Test
  void anInputFieldSentTwiceIsMergedAsProtobufDoesNotSliced() throws Exception {
    PromptEvent first = Prompts.image("p4", 1);
    // Protobuf merges a repeated singular message field: the second occurrence's values are
    // appended. The labeller must send what the validator saw, not one occurrence.
    PromptEvent extra =
        PromptEvent.newBuilder()
            .setInput(ModelInput.newBuilder().setTensor(Tensor.newBuilder().addValues(0.25f)))
            .build();
    byte[] record = concat(first.toByteArray(), extra.toByteArray());
    Decoded<PromptEvent> decoded = new PromptEventDeserializer().deserialize("t", record);
    PromptEvent merged = ((Decoded.Ok<PromptEvent>) decoded).value();

    ByteString encoded =
        EncodedInput.of(
            new IncomingPrompt("p4", decoded, SourceRecord.getDefaultInstance()), merged);

    assertEquals(merged.getInput(), ModelInput.parseFrom(encoded));
    assertEquals(785, ModelInput.parseFrom(encoded).getTensor().getValuesCount());
    assertNotSame(first.getInput().toByteString(), encoded);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
