package io.distillery.benchmarks;

import com.google.protobuf.ByteString;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.EventDecoder;
import io.distillery.proto.kafka.PromptRecord;
import io.distillery.proto.kafka.PromptRecordDeserializer;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The labeler's per-prompt serde: decoding a Fashion-MNIST prompt record in full ({@link
 * EventDecoder}, binary or JSON detected from the bytes) and as the prompt channel does now ({@link
 * PromptRecordDeserializer}, the floats left in the record) and encoding its soft label as {@code
 * SoftLabelFactory} does (the input carried over, the sparse codec, the record's bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LabelerEventsBenchmark {

  private final EventDecoder<PromptEvent> decoder =
      new EventDecoder<>(PromptEvent.getDefaultInstance());
  private final PromptRecordDeserializer records = new PromptRecordDeserializer();
  private byte[] promptRecord;
  private PromptEvent prompt;
  private List<SparseDistribution> label;
  private TeacherCard card;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(19);
    prompt =
        PromptEvent.newBuilder()
            .setId("fashion-mnist-test-000042")
            .setDataset("fashion-mnist")
            .setInput(Samples.image(random))
            .setLabel(7)
            .setCreatedAtMs(1_780_000_000_000L)
            .build();
    promptRecord = prompt.toByteArray();
    label = Samples.distributions(random, 1, 10, 10);
    card =
        TeacherCard.newBuilder()
            .setModelId("fashion-cnn")
            .setVersion("e20")
            .setArtifactSha256("9f".repeat(32))
            .setEngine("OnnxRuntime")
            .setOutputSize(10)
            .addAllInputShape(Samples.IMAGE_SHAPE)
            .build();
  }

  @Benchmark
  public Decoded<PromptEvent> promptDecode() {
    return decoder.decode(promptRecord);
  }

  /**
   * The same record as the labeler's channel reads it now: every field but the tensor's floats,
   * which are left in the record and checked there (all finite) as the validator does.
   */
  @Benchmark
  public int promptDecodeLeavingFloatsInPlace() {
    PromptRecord read = records.deserialize("distill.prompts", promptRecord);
    return read.tensorValues().firstNonFinite();
  }

  @Benchmark
  public byte[] softLabelEncode() {
    return SoftLabelEvent.newBuilder()
        .setPromptId(prompt.getId())
        .setDataset(prompt.getDataset())
        .setInput(prompt.getInput())
        .setLabel(prompt.getLabel())
        .setTeacher(card)
        .setTopK(10)
        .setTemperature(1f)
        .setPositions(label.size())
        .setDistributions(ByteString.copyFrom(SparseCodec.encode(label)))
        .setDistributionsFormat(SparseCodec.Format.FP16.number())
        .setLabelledAtMs(1_780_000_000_001L)
        .build()
        .toByteArray();
  }
}
