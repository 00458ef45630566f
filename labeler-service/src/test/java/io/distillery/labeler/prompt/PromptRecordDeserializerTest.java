package io.distillery.labeler.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.distillery.labeler.support.Cards;
import io.distillery.labeler.support.Prompts;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.kafka.PromptRecord;
import io.distillery.proto.kafka.PromptRecordDeserializer;
import io.distillery.proto.v1.LabelMix;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacherclient.TeacherDescription;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The labeler's prompt deserializer leaves a tensor prompt's floats in the record. These tests hold
 * it to one promise: every record gets the outcome the full protobuf decode gives it — the same
 * dead-letter reason and message, or the same prompt with byte-for-byte the same input sent on —
 * and the floats are left in place for the common case.
 */
class PromptRecordDeserializerTest {

  private static final TeacherDescription FASHION = Cards.allowedFashion();
  private final PromptValidator validator = new PromptValidator(65_536);
  private final PromptRecordDeserializer deserializer = new PromptRecordDeserializer();

  @Test
  void aTensorPromptWithItsShapeKeepsItsFloatsInTheRecord() {
    PromptEvent prompt =
        Prompts.image("p1", 7).toBuilder()
            .setDataset("fashion-mnist/train")
            .setLabel(3)
            .putAttributes("source", "camera-2")
            .setCreatedAtMs(1_700_000_000_000L)
            .build();
    byte[] record = prompt.toByteArray();

    PromptRecord read = deserializer.deserialize("t", record);

    assertNotNull(read.tensorValues(), "the floats were parsed although the record is plain");
    assertEquals(784, read.tensorValues().count());
    for (int i = 0; i < 784; i++) {
      assertEquals(prompt.getInput().getTensor().getValues(i), read.tensorValues().get(i));
    }
    PromptEvent event = ((Decoded.Ok<PromptEvent>) read.decoded()).value();
    assertEquals(0, event.getInput().getTensor().getValuesCount());
    assertEquals(
        prompt.getInput().getTensor().getShapeList(), event.getInput().getTensor().getShapeList());
    assertEquals(prompt.toBuilder().clearInput().build(), event.toBuilder().clearInput().build());
    assertEquals(Outcome.of(full(record), validator), Outcome.of(incoming(read), validator));
  }

  @Test
  void recordsTheFastPathDoesNotTakeAreDecodedInFull() {
    PromptEvent image = Prompts.image("p2", 1);
    Tensor values = image.getInput().getTensor();
    List<byte[]> others =
        List.of(
            // no shape: the validator gives it the teacher's, which re-encodes the input
            withTensor(image, values.toBuilder().clearShape().build()).toByteArray(),
            // tokens and text prompts
            PromptEvent.newBuilder()
                .setId("p3")
                .setInput(ModelInput.newBuilder().setTokens(TokenSequence.newBuilder().addIds(4)))
                .build()
                .toByteArray(),
            PromptEvent.newBuilder()
                .setId("p4")
                .setInput(ModelInput.newBuilder().setText("Emma Woodhouse"))
                .build()
                .toByteArray(),
            // the input field twice (protobuf merges them)
            concat(image.toByteArray(), image.toBuilder().clearId().build().toByteArray()),
            // values written unpacked, as a proto2 writer may
            unpackedValues(image),
            // JSON
            "{\"id\":\"p5\",\"input\":{\"tensor\":{\"values\":[1.0]}}}".getBytes());

    for (byte[] record : others) {
      PromptRecord read = deserializer.deserialize("t", record);
      assertNull(read.tensorValues());
      assertEquals(Outcome.of(full(record), validator), Outcome.of(incoming(read), validator));
    }
  }

  @Test
  void everyRejectionOnTheFastPathIsTheFullDecodesRejection() {
    PromptEvent image = Prompts.image("p6", 2);
    Tensor values = image.getInput().getTensor();
    List<PromptEvent> bad = new ArrayList<>();
    bad.add(withTensor(image, values.toBuilder().setValues(5, Float.NaN).build()));
    bad.add(withTensor(image, values.toBuilder().setValues(783, Float.NEGATIVE_INFINITY).build()));
    bad.add(withTensor(image, values.toBuilder().addValues(0.5f).build()));
    bad.add(withTensor(image, Tensor.newBuilder().addAllShape(values.getShapeList()).build()));
    bad.add(withTensor(image, values.toBuilder().setShape(0, 2).build()));
    bad.add(image.toBuilder().setLabel(10).build());
    bad.add(
        image.toBuilder()
            .setLabelMix(LabelMix.newBuilder().setSecondLabel(1).setWeight(1.5f))
            .build());
    bad.add(image.toBuilder().clearId().build());

    for (PromptEvent prompt : bad) {
      byte[] record = prompt.toByteArray();
      PromptRecord read = deserializer.deserialize("t", record);
      Outcome expected = Outcome.of(full(record), validator);
      assertTrue(expected.rejected(), "a bad prompt must be rejected: " + expected);
      assertEquals(expected, Outcome.of(incoming(read), validator));
    }
  }

  @Test
  void randomlyCorruptedRecordsGetTheFullDecodesOutcome() {
    Random random = new Random(19);
    byte[] valid = Prompts.image("p7", 4).toBuilder().setLabel(2).build().toByteArray();
    int fast = 0;
    for (int trial = 0; trial < 3_000; trial++) {
      byte[] record = valid.clone();
      // Corrupt the framing and header bytes most (where the fast path has decisions to make),
      // the floats sometimes, and now and then truncate.
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        int at = random.nextInt(4) == 0 ? random.nextInt(record.length) : random.nextInt(24);
        record[at] = (byte) random.nextInt(256);
      }
      if (random.nextInt(10) == 0) {
        record = java.util.Arrays.copyOf(record, random.nextInt(record.length));
      }
      PromptRecord read = deserializer.deserialize("t", record);
      fast += read.tensorValues() != null ? 1 : 0;
      assertEquals(
          Outcome.of(full(record), validator),
          Outcome.of(incoming(read), validator),
          "trial " + trial);
    }
    // Positive control: many corrupted records are still plain tensor prompts (a changed float,
    // id byte or label) and go the fast way; the comparison above covered both paths.
    assertTrue(fast > 500, "fast path taken only " + fast + " times");
  }

  /**
   * What the labeler does with a record: the dead letter's reason and message, or what it sends.
   */
  private record Outcome(String rejection, PromptEvent fields, ByteString input) {
    static Outcome of(IncomingPrompt prompt, PromptValidator validator) {
      try {
        ValidPrompt valid = validator.validate(prompt, FASHION);
        return new Outcome(
            null, valid.event().toBuilder().clearInput().build(), valid.encodedInput());
      } catch (InvalidPromptException e) {
        return new Outcome(e.reason() + ": " + e.getMessage(), null, null);
      }
    }

    boolean rejected() {
      return rejection != null;
    }
  }

  private static IncomingPrompt full(byte[] record) {
    return new IncomingPrompt(
        "k",
        new PromptEventDeserializer().deserialize("t", record),
        SourceRecord.getDefaultInstance());
  }

  private static IncomingPrompt incoming(PromptRecord read) {
    return new IncomingPrompt("k", read, SourceRecord.getDefaultInstance(), List.of());
  }

  private static PromptEvent withTensor(PromptEvent prompt, Tensor tensor) {
    return prompt.toBuilder().setInput(ModelInput.newBuilder().setTensor(tensor)).build();
  }

  private static byte[] unpackedValues(PromptEvent prompt) {
    try {
      ByteArrayOutputStream tensorBytes = new ByteArrayOutputStream();
      CodedOutputStream tensor = CodedOutputStream.newInstance(tensorBytes);
      for (long dim : prompt.getInput().getTensor().getShapeList()) {
        tensor.writeInt64(Tensor.SHAPE_FIELD_NUMBER, dim);
      }
      for (float value : prompt.getInput().getTensor().getValuesList()) {
        tensor.writeFloat(Tensor.VALUES_FIELD_NUMBER, value);
      }
      tensor.flush();
      ByteString input =
          field(ModelInput.TENSOR_FIELD_NUMBER, ByteString.copyFrom(tensorBytes.toByteArray()));
      return prompt.toBuilder()
          .clearInput()
          .build()
          .toByteString()
          .concat(field(PromptEvent.INPUT_FIELD_NUMBER, input))
          .toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ByteString field(int number, ByteString body) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeBytes(number, body);
    out.flush();
    return ByteString.copyFrom(bytes.toByteArray());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
