package io.distillery.benchmarks;

import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.SparseDistribution;
import java.util.List;
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
 * The soft labels' sparse codec ({@code SoftLabelEvent.distributions}): one classifier sample (1
 * position, top-10 of 10) and one language-model window (128 positions, top-16 of 512), in both
 * formats.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SparseCodecBenchmark {

  /** "positions:classes:k" */
  @Param({"1:10:10", "128:512:16"})
  public String shape;

  @Param({"FP16", "QUANTIZED"})
  public SparseCodec.Format format;

  private List<SparseDistribution> positions;
  private byte[] encoded;

  @Setup
  public void setUp() {
    String[] parts = shape.split(":");
    positions =
        Samples.distributions(
            new SplittableRandom(19),
            Integer.parseInt(parts[0]),
            Integer.parseInt(parts[1]),
            Integer.parseInt(parts[2]));
    encoded = SparseCodec.encode(positions, format);
  }

  @Benchmark
  public byte[] encode() {
    return SparseCodec.encode(positions, format);
  }

  @Benchmark
  public List<SparseDistribution> decode() {
    return SparseCodec.decode(encoded, positions.size(), format);
  }
}
