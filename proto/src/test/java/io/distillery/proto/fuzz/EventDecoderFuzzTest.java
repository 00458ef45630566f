package io.distillery.proto.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.distillery.proto.kafka.CheckpointEventDeserializer;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.kafka.PromptRecord;
import io.distillery.proto.kafka.PromptRecordDeserializer;
import io.distillery.proto.kafka.SoftLabelEventDeserializer;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.Tensor;

/**
 * The Kafka deserializers read whatever upstream producers wrote: any bytes must decode to an event
 * or a typed failure that keeps the original bytes, never an exception that would stop a channel.
 * In {@code ./mvnw verify} these run over the committed inputs under {@code
 * src/test/resources/io/distillery/proto/fuzz/EventDecoderFuzzTestInputs/}; RELIABILITY.md has the
 * command that fuzzes them.
 */
class EventDecoderFuzzTest {

  private final PromptEventDeserializer prompts = new PromptEventDeserializer();
  private final PromptRecordDeserializer records = new PromptRecordDeserializer();
  private final SoftLabelEventDeserializer softLabels = new SoftLabelEventDeserializer();
  private final CheckpointEventDeserializer checkpoints = new CheckpointEventDeserializer();

  @FuzzTest
  void promptBytesDecodeToAnEventOrATypedFailure(byte[] value) {
    Decoded<PromptEvent> decoded = prompts.deserialize("distill.prompts", value);
    assertKeepsBytes(decoded, value);
  }

  /** The JSON path, entered by every value that starts with a brace. */
  @FuzzTest
  void promptJsonDecodesToAnEventOrATypedFailure(byte[] json) {
    byte[] value = new byte[json.length + 1];
    value[0] = '{';
    System.arraycopy(json, 0, value, 1, json.length);
    Decoded<PromptEvent> decoded = prompts.deserialize("distill.prompts", value);
    assertKeepsBytes(decoded, value);
  }

  /**
   * The labeler's deserializer, which leaves a plain tensor prompt's floats in the record, must
   * agree with the full decode on every input: the same failure, or the same event once the floats
   * it left in place are put back.
   */
  @FuzzTest
  void promptRecordsAgreeWithTheFullDecode(byte[] value) {
    PromptRecord read = records.deserialize("distill.prompts", value);
    assertKeepsBytes(read.decoded(), value);
    Decoded<PromptEvent> full = prompts.deserialize("distill.prompts", value);
    if (read.tensorValues() == null) {
      assertEquals(describe(full), describe(read.decoded()));
      return;
    }
    PromptEvent event = ((Decoded.Ok<PromptEvent>) read.decoded()).value();
    Tensor.Builder tensor = event.getInput().getTensor().toBuilder();
    for (int i = 0; i < read.tensorValues().count(); i++) {
      tensor.addValues(read.tensorValues().get(i));
    }
    PromptEvent withValues =
        event.toBuilder().setInput(ModelInput.newBuilder().setTensor(tensor)).build();
    assertEquals(
        describe(full), describe(new Decoded.Ok<>(withValues, Decoded.WireFormat.PROTOBUF, value)));
  }

  private static String describe(Decoded<PromptEvent> decoded) {
    return decoded instanceof Decoded.Ok<PromptEvent> ok
        ? "ok " + ok.format() + " " + ok.value()
        : "failed " + ((Decoded.Failed<PromptEvent>) decoded).failure();
  }

  @FuzzTest
  void softLabelBytesDecodeToAnEventOrATypedFailure(byte[] value) {
    Decoded<SoftLabelEvent> decoded = softLabels.deserialize("distill.soft-labels", value);
    assertKeepsBytes(decoded, value);
    if (decoded instanceof Decoded.Ok<SoftLabelEvent> ok) {
      // The distributions inside are read by the codec; its own fuzz test covers their bytes.
      SparseCodecFuzzTest.assertDecodesOrRejects(
          ok.value().getDistributions().toByteArray(),
          ok.value().getPositions(),
          ok.value().getDistributionsFormat());
    }
  }

  @FuzzTest
  void checkpointEventBytesDecodeToAnEventOrATypedFailure(byte[] value) {
    assertKeepsBytes(checkpoints.deserialize("distill.checkpoints", value), value);
  }

  private static void assertKeepsBytes(Decoded<?> decoded, byte[] value) {
    assertNotNull(decoded);
    assertArrayEquals(value == null ? new byte[0] : value, decoded.raw(), "the original bytes");
    if (decoded instanceof Decoded.Failed<?> failed) {
      assertTrue(!failed.failure().message().isEmpty(), "a failure says what was wrong");
    }
  }
}
