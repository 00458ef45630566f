package io.distillery.trainer.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.util.JsonFormat;
import io.distillery.models.task.ExampleInput;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.kafka.DecodeFailure;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.SoftLabelEventDeserializer;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.trainer.support.SoftLabels;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Decoding records of the soft-label log. Plain JUnit: pure functions on bytes. */
class LabelDecoderTest {

  private final SoftLabelValueDeserializer deserializer = new SoftLabelValueDeserializer();
  private final LabelDecoder decoder = new LabelDecoder();

  private static SoftLabelEvent valid() {
    return SoftLabelEvent.newBuilder()
        .setPromptId("p-1")
        .setDataset("d")
        .setInput(
            ModelInput.newBuilder()
                .setTensor(
                    Tensor.newBuilder()
                        .addShape(2)
                        .addShape(2)
                        .addValues(0f)
                        .addValues(0.25f)
                        .addValues(0.5f)
                        .addValues(1f)))
        .setLabel(2)
        .setTeacher(TeacherCard.newBuilder().setModelId("t").setOutputSize(4))
        .setTopK(2)
        .setTemperature(2f)
        .setPositions(1)
        .setDistributions(
            ByteString.copyFrom(
                SparseCodec.encode(
                    List.of(
                        SparseDistribution.newBuilder()
                            .addIds(2)
                            .addLogProbs(-0.2f)
                            .addIds(0)
                            .addLogProbs(-2.5f)
                            .setTailMass(0.1f)
                            .build()))))
        .build();
  }

  private SoftLabel decode(SoftLabelEvent event) throws LabelRejectedException {
    return decoder.decode(1, 42, deserializer.deserialize("t", event.toByteArray()));
  }

  private SkipReason rejection(byte[] bytes) {
    return assertThrows(
            LabelRejectedException.class,
            () -> decoder.decode(0, 0, deserializer.deserialize("t", bytes)))
        .reason();
  }

  @Test
  void aValidLabelKeepsItsInputLabelCardAndMostProbableFirstDistribution() throws Exception {
    SoftLabel label = decode(valid());

    assertEquals(1, label.partition());
    assertEquals(42, label.offset());
    ExampleInput.Dense input = (ExampleInput.Dense) label.example().input();
    assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 1f}, input.values());
    assertArrayEquals(new long[] {2, 2}, input.shape());
    assertEquals(2, SoftLabels.label(label));
    assertEquals("t", label.teacher().getModelId());
    assertEquals(List.of(2, 0), label.example().positions().get(0).getIdsList());
  }

  @Test
  void eachKindOfBadRecordIsRejectedWithItsReason() {
    assertEquals(SkipReason.UNDECODABLE, rejection(new byte[] {0x0F}));
    assertEquals(SkipReason.UNDECODABLE, rejection(new byte[0]));
    assertEquals(
        SkipReason.MISSING_TEACHER,
        rejection(valid().toBuilder().clearTeacher().build().toByteArray()));
    assertEquals(
        SkipReason.WRONG_POSITIONS,
        rejection(valid().toBuilder().setPositions(2).build().toByteArray()));
    assertEquals(
        SkipReason.BAD_INPUT,
        rejection(
            valid().toBuilder()
                .setInput(ModelInput.newBuilder().setTokens(TokenSequence.newBuilder().addIds(1)))
                .build()
                .toByteArray()));
    assertEquals(
        SkipReason.BAD_INPUT,
        rejection(
            valid().toBuilder()
                .setInput(
                    ModelInput.newBuilder()
                        .setTensor(Tensor.newBuilder().addShape(3).addValues(1f)))
                .build()
                .toByteArray()));
    assertEquals(
        SkipReason.BAD_DISTRIBUTION,
        rejection(
            valid().toBuilder()
                .setDistributions(ByteString.copyFrom(new byte[] {2, 0}))
                .build()
                .toByteArray()));
    assertEquals(
        SkipReason.BAD_DISTRIBUTION,
        rejection(
            valid().toBuilder()
                .setTeacher(TeacherCard.newBuilder().setModelId("t").setOutputSize(2))
                .setLabel(1)
                .build()
                .toByteArray()));
    assertEquals(
        SkipReason.BAD_LABEL, rejection(valid().toBuilder().setLabel(9).build().toByteArray()));
  }

  @Test
  void theFastPathAgreesWithTheSharedDeserializerOnEveryOutcome() throws Exception {
    SoftLabelEventDeserializer shared = new SoftLabelEventDeserializer();
    byte[] unknownEnum =
        valid().toBuilder()
            .setTeacher(valid().getTeacher().toBuilder().setTaskValue(77))
            .build()
            .toByteArray();
    byte[] json = JsonFormat.printer().print(valid()).getBytes(StandardCharsets.UTF_8);
    byte[] truncated = java.util.Arrays.copyOf(valid().toByteArray(), 20);
    for (byte[] bytes : List.of(valid().toByteArray(), unknownEnum, json, truncated, new byte[0])) {
      Decoded<SoftLabelEvent> fast = deserializer.deserialize("t", bytes);
      Decoded<SoftLabelEvent> reference = shared.deserialize("t", bytes);
      assertEquals(reference.getClass(), fast.getClass());
      if (reference instanceof Decoded.Ok<SoftLabelEvent> ok) {
        assertEquals(ok.value(), ((Decoded.Ok<SoftLabelEvent>) fast).value());
        assertEquals(ok.format(), ((Decoded.Ok<SoftLabelEvent>) fast).format());
      } else {
        DecodeFailure expected = ((Decoded.Failed<SoftLabelEvent>) reference).failure();
        assertEquals(expected.reason(), ((Decoded.Failed<SoftLabelEvent>) fast).failure().reason());
      }
    }
    assertInstanceOf(Decoded.Failed.class, deserializer.deserialize("t", unknownEnum));
  }

  @Test
  void theFastPathChecksEveryEnumFieldASoftLabelEventHas() {
    // If the schema grows another enum, SoftLabelValueDeserializer.knownEnums must check it too.
    Set<String> enums = new TreeSet<>();
    collectEnums(SoftLabelEvent.getDescriptor(), "", enums, new HashSet<>());
    assertEquals(Set.of("teacher.distillation", "teacher.task"), enums);
  }

  private static void collectEnums(
      Descriptor type, String path, Set<String> out, Set<String> visited) {
    if (!visited.add(type.getFullName())) {
      return;
    }
    for (FieldDescriptor field : type.getFields()) {
      String name = path + field.getName();
      if (field.getType() == FieldDescriptor.Type.ENUM) {
        out.add(name);
      } else if (field.getType() == FieldDescriptor.Type.MESSAGE && !field.isMapField()) {
        collectEnums(field.getMessageType(), name + ".", out, visited);
      }
    }
    assertTrue(out.size() < 50);
  }
}
