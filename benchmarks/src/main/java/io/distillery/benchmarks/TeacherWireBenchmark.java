package io.distillery.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import io.distillery.models.nn.TopK;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The teacher's own share of a Label call, without gRPC: decoding a request of Fashion-MNIST images
 * and reading each sample's values (the finite check and the copy into the forward pass's batch),
 * and building and serialising the response (top-10 of 10 classes per sample). {@code samples} = 1
 * is the single-sample caller of {@code bench teacher} (c), 64 the batched caller of (e).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TeacherWireBenchmark {

  @Param({"1", "64"})
  public int samples;

  private byte[] request;
  private float[] logits;
  private float[] batch;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(19);
    LabelRequest.Builder builder =
        LabelRequest.newBuilder().setRequestId("bench").setTopK(10).setTemperature(1f);
    for (int i = 0; i < samples; i++) {
      builder.addSamples(Samples.image(random));
    }
    request = builder.build().toByteArray();
    logits = Samples.logits(random, samples, 10);
    batch = new float[samples * Samples.IMAGE_SIZE];
  }

  @Benchmark
  public LabelRequest requestDecode() throws InvalidProtocolBufferException {
    return LabelRequest.parseFrom(request);
  }

  /** Decode, then every value checked and copied once into the batch, as the teacher does. */
  @Benchmark
  public float[] requestDecodeAndCopy() throws InvalidProtocolBufferException {
    LabelRequest parsed = LabelRequest.parseFrom(request);
    for (int s = 0; s < parsed.getSamplesCount(); s++) {
      Tensor tensor = parsed.getSamples(s).getTensor();
      int offset = s * Samples.IMAGE_SIZE;
      for (int v = 0; v < Samples.IMAGE_SIZE; v++) {
        float value = tensor.getValues(v);
        if (!Float.isFinite(value)) {
          throw new IllegalArgumentException("non-finite");
        }
        batch[offset + v] = value;
      }
    }
    return batch;
  }

  @Benchmark
  public byte[] responseEncode() {
    LabelResponse.Builder response =
        LabelResponse.newBuilder().setRequestId("bench").setArtifactSha256("9f".repeat(32));
    for (int s = 0; s < samples; s++) {
      response.addSamples(
          SampleLabels.newBuilder().addPositions(TopK.of(logits, s * 10, 10, 10, 1f)));
    }
    return response.build().toByteArray();
  }
}
