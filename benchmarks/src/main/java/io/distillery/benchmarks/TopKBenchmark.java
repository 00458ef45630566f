package io.distillery.benchmarks;

import io.distillery.models.nn.TopK;
import io.distillery.proto.v1.SparseDistribution;
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
 * {@link TopK#of}: one position's log-softmax, top-k and tail, as the teacher computes it per
 * sample (classifier: 10 classes, k = 10) and per token (language model: 512 ids, k = 16).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TopKBenchmark {

  /** "classes:k" */
  @Param({"10:10", "512:16"})
  public String shape;

  private float[] logits;
  private int size;
  private int k;
  private int rows;
  private int row;

  @Setup
  public void setUp() {
    String[] parts = shape.split(":");
    size = Integer.parseInt(parts[0]);
    k = Integer.parseInt(parts[1]);
    rows = 256;
    logits = Samples.logits(new SplittableRandom(19), rows, size);
  }

  @Benchmark
  public SparseDistribution topK() {
    row = (row + 1) % rows;
    return TopK.of(logits, row * size, size, k, 1f);
  }
}
