package io.distillery.proto.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.distillery.proto.kafka.CheckpointEventDeserializer;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.kafka.SoftLabelEventDeserializer;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;

/**
 * The Kafka deserializers read whatever upstream producers wrote: any bytes must decode to an event
 * or a typed failure that keeps the original bytes, never an exception that would stop a channel.
 * In {@code ./mvnw verify} these run over the committed inputs under {@code
 * src/test/resources/io/distillery/proto/fuzz/EventDecoderFuzzTestInputs/}; RELIABILITY.md has the
 * command that fuzzes them.
 */
class EventDecoderFuzzTest {

  private final PromptEventDeserializer prompts = new PromptEventDeserializer();
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
