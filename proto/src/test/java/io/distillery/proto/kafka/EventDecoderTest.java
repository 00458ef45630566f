package io.distillery.proto.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.distillery.proto.kafka.DecodeFailure.Reason;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Pure decoding logic: no broker needed, so plain JUnit. */
class EventDecoderTest {

  private final PromptEventDeserializer prompts = new PromptEventDeserializer();

  private static PromptEvent prompt() {
    return PromptEvent.newBuilder()
        .setId("train-42")
        .setDataset("fashion-mnist/train")
        .setLabel(3)
        .setInput(
            ModelInput.newBuilder()
                .setTensor(
                    Tensor.newBuilder().addShape(1).addShape(2).addValues(0.5f).addValues(1f)))
        .build();
  }

  private static DecodeFailure failureOf(Decoded<?> decoded) {
    return assertInstanceOf(Decoded.Failed.class, decoded).failure();
  }

  @Test
  void decodesProtobufBinary() {
    byte[] bytes = prompt().toByteArray();
    Decoded<PromptEvent> decoded = prompts.deserialize("distill.prompts", bytes);
    Decoded.Ok<PromptEvent> ok = assertInstanceOf(Decoded.Ok.class, decoded);
    assertEquals(prompt(), ok.value());
    assertEquals(Decoded.WireFormat.PROTOBUF, ok.format());
    assertArrayEquals(bytes, ok.raw());
  }

  @Test
  void decodesCanonicalJsonDetectedFromTheBytes() {
    String json =
        "{\"id\":\"train-42\",\"dataset\":\"fashion-mnist/train\",\"label\":3,"
            + "\"input\":{\"tensor\":{\"shape\":[\"1\",2],\"values\":[0.5,1]}}}";
    Decoded<PromptEvent> decoded =
        prompts.deserialize("distill.prompts", json.getBytes(StandardCharsets.UTF_8));
    Decoded.Ok<PromptEvent> ok = assertInstanceOf(Decoded.Ok.class, decoded);
    assertEquals(prompt(), ok.value());
    assertEquals(Decoded.WireFormat.JSON, ok.format());
  }

  @Test
  void decodesJsonWithLeadingWhitespaceAndNewline() {
    byte[] json = "\n  {\"id\":\"p1\"}\n".getBytes(StandardCharsets.UTF_8);
    Decoded.Ok<PromptEvent> ok = assertInstanceOf(Decoded.Ok.class, prompts.deserialize("t", json));
    assertEquals("p1", ok.value().getId());
    assertEquals(Decoded.WireFormat.JSON, ok.format());
  }

  @Test
  void nullAndEmptyValuesAreEmpty() {
    assertEquals(Reason.EMPTY, failureOf(prompts.deserialize("t", null)).reason());
    assertEquals(Reason.EMPTY, failureOf(prompts.deserialize("t", new byte[0])).reason());
  }

  @Test
  void truncatedProtobufIsReportedAsTruncated() {
    byte[] bytes = prompt().toByteArray();
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);
    DecodeFailure failure = failureOf(prompts.deserialize("t", cut));
    assertEquals(Reason.TRUNCATED_PROTOBUF, failure.reason());
    assertTrue(failure.message().contains("distillery.v1.PromptEvent"), failure.message());
    assertTrue(failure.exceptionClass().endsWith("InvalidProtocolBufferException"));
  }

  @Test
  void malformedBytesAreReportedWithTheMessageType() {
    // Tag 0x0F: field 1 with wire type 7, which does not exist.
    byte[] garbage = {0x0F, 0x01, 0x02};
    DecodeFailure failure = failureOf(prompts.deserialize("t", garbage));
    assertEquals(Reason.MALFORMED_PROTOBUF, failure.reason());
    assertTrue(failure.message().contains("PromptEvent"), failure.message());
  }

  @Test
  void invalidJsonIsReportedAsJson() {
    byte[] broken = "{\"id\": \"p1\", ".getBytes(StandardCharsets.UTF_8);
    assertEquals(Reason.INVALID_JSON, failureOf(prompts.deserialize("t", broken)).reason());
  }

  @Test
  void jsonWithAMisspelledFieldIsRejectedNotSilentlyDropped() {
    byte[] typo = "{\"id\":\"p1\",\"lable\":3}".getBytes(StandardCharsets.UTF_8);
    DecodeFailure failure = failureOf(prompts.deserialize("t", typo));
    assertEquals(Reason.INVALID_JSON, failure.reason());
    assertTrue(failure.message().contains("lable"), failure.message());
  }

  @Test
  void unknownEnumNameInJsonIsRejected() {
    SoftLabelEventDeserializer labels = new SoftLabelEventDeserializer();
    byte[] json =
        "{\"promptId\":\"p1\",\"teacher\":{\"task\":\"TASK_TRANSLATION\"}}"
            .getBytes(StandardCharsets.UTF_8);
    assertEquals(Reason.INVALID_JSON, failureOf(labels.deserialize("t", json)).reason());
  }

  @Test
  void unknownEnumNumberInNestedBinaryMessageIsRejectedWithItsPath() throws IOException {
    // A teacher card whose task (field 5) holds 99, nested as SoftLabelEvent.teacher (field 5).
    byte[] card = varintField(5, 99);
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(event);
    out.writeString(1, "p1");
    out.writeByteArray(5, card);
    out.flush();
    SoftLabelEventDeserializer labels = new SoftLabelEventDeserializer();
    DecodeFailure failure = failureOf(labels.deserialize("t", event.toByteArray()));
    assertEquals(Reason.UNKNOWN_ENUM_VALUE, failure.reason());
    assertTrue(failure.message().contains("teacher.task"), failure.message());
    assertTrue(failure.message().contains("99"), failure.message());
  }

  @Test
  void knownEnumValuesPass() {
    SoftLabelEvent event =
        SoftLabelEvent.newBuilder()
            .setPromptId("p1")
            .setTeacher(TeacherCard.newBuilder().setTaskValue(1))
            .build();
    Decoded<SoftLabelEvent> decoded =
        new SoftLabelEventDeserializer().deserialize("t", event.toByteArray());
    assertEquals(event, assertInstanceOf(Decoded.Ok.class, decoded).value());
  }

  @Test
  void serializerWritesProtobufThatTheDeserializerReads() {
    byte[] bytes = new EventSerializer().serialize("t", prompt());
    assertEquals(
        prompt(), assertInstanceOf(Decoded.Ok.class, prompts.deserialize("t", bytes)).value());
  }

  private static byte[] varintField(int field, int value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt32(field, value);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void onlyTypesThatCanHoldAnEnumAreWalkedForUnknownNumbers() {
    // A prompt (id, input tensor or tokens or text, label mix) has no enum anywhere: its decode
    // skips the reflective walk. A soft label carries the teacher card, whose task is an enum.
    assertFalse(EventDecoder.mayHoldEnum(io.distillery.proto.v1.PromptEvent.getDescriptor()));
    assertTrue(EventDecoder.mayHoldEnum(io.distillery.proto.v1.SoftLabelEvent.getDescriptor()));
    assertTrue(EventDecoder.mayHoldEnum(io.distillery.proto.v1.TeacherCard.getDescriptor()));
  }
}
