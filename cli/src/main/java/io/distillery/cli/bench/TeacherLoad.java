package io.distillery.cli.bench;

import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.Tensor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/** A closed-loop gRPC load on a teacher: real Fashion-MNIST images, fixed warm-up and duration. */
final class TeacherLoad {

  /** Client connections shared by the callers, like a small channel pool. */
  private static final int CONNECTIONS = 4;

  private TeacherLoad() {}

  /**
   * Closed-loop callers, each sending one request of {@code samplesPerRequest} samples at a time,
   * as fast as answers come; callers share a few connections, as a client pool would.
   */
  static Result run(
      int port,
      LabeledImages images,
      Duration warmup,
      Duration duration,
      int callerCount,
      int samplesPerRequest)
      throws Exception {
    return run(port, images, warmup, duration, callerCount, samplesPerRequest, null);
  }

  /** As {@link #run(int, LabeledImages, Duration, Duration, int, int)}, with a bearer token. */
  static Result run(
      int port,
      LabeledImages images,
      Duration warmup,
      Duration duration,
      int callerCount,
      int samplesPerRequest,
      String bearerToken)
      throws Exception {
    List<LabelRequest> requests = requests(images, samplesPerRequest);
    return run(
        port, requests, request -> samplesPerRequest, warmup, duration, callerCount, bearerToken);
  }

  /**
   * Closed-loop callers sending {@code requests} round robin; throughput counts {@code weight} of
   * each request answered in the measured window (its samples, or its tokens for a language model).
   */
  static Result run(
      int port,
      List<LabelRequest> requests,
      ToLongFunction<LabelRequest> weight,
      Duration warmup,
      Duration duration,
      int callerCount)
      throws Exception {
    return run(port, requests, weight, warmup, duration, callerCount, null);
  }

  /** As the above, with a bearer token on every call when it is not null. */
  static Result run(
      int port,
      List<LabelRequest> requests,
      ToLongFunction<LabelRequest> weight,
      Duration warmup,
      Duration duration,
      int callerCount,
      String bearerToken)
      throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < Math.min(callerCount, CONNECTIONS); i++) {
      // Answers are handled on the transport's event loop, which sends the caller's next request
      // at once: no thread per caller and no hand-off per call, so the load generator takes as
      // little as it can of the cores it shares with the teacher.
      channels.add(
          ManagedChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              .directExecutor()
              .build());
    }
    try {
      long warmEnd = System.nanoTime() + warmup.toNanos();
      long measureEnd = warmEnd + duration.toNanos();
      AtomicLong answered = new AtomicLong();
      List<Caller> callers = new ArrayList<>();
      for (int c = 0; c < callerCount; c++) {
        TeacherGrpc.TeacherStub stub =
            withToken(TeacherGrpc.newStub(channels.get(c % channels.size())), bearerToken);
        Caller caller =
            new Caller(stub, requests, weight, c, callerCount, warmEnd, measureEnd, answered);
        callers.add(caller);
        caller.next();
      }
      List<long[]> all = new ArrayList<>();
      for (Caller caller : callers) {
        all.add(caller.latencies());
      }
      long[] latencies = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      return new Result(answered.get() / (duration.toNanos() / 1e9), latencies);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  /**
   * One closed-loop caller: a request in flight at a time, the next one sent from the previous
   * one's answer, until the measured window ends.
   */
  private static final class Caller implements StreamObserver<LabelResponse> {

    private final TeacherGrpc.TeacherStub stub;
    private final List<LabelRequest> requests;
    private final ToLongFunction<LabelRequest> weight;
    private final int stride;
    private final long warmEnd;
    private final long measureEnd;
    private final AtomicLong answered;
    private final CompletableFuture<long[]> done = new CompletableFuture<>();
    // Touched by one call's callbacks at a time: each call starts after the previous one ended.
    private final long[] latencies = new long[1 << 20];
    private int count;
    private int index;
    private long begin;
    private LabelRequest request;

    Caller(
        TeacherGrpc.TeacherStub stub,
        List<LabelRequest> requests,
        ToLongFunction<LabelRequest> weight,
        int offset,
        int stride,
        long warmEnd,
        long measureEnd,
        AtomicLong answered) {
      this.stub = stub;
      this.requests = requests;
      this.weight = weight;
      this.index = offset;
      this.stride = stride;
      this.warmEnd = warmEnd;
      this.measureEnd = measureEnd;
      this.answered = answered;
    }

    void next() {
      if (System.nanoTime() >= measureEnd) {
        done.complete(Arrays.copyOf(latencies, count));
        return;
      }
      request = requests.get(index % requests.size());
      index += stride;
      begin = System.nanoTime();
      stub.withDeadlineAfter(30, TimeUnit.SECONDS).label(request, this);
    }

    @Override
    public void onNext(LabelResponse response) {
      long now = System.nanoTime();
      if (begin >= warmEnd && now <= measureEnd && count < latencies.length) {
        latencies[count++] = now - begin;
        answered.addAndGet(weight.applyAsLong(request));
      }
    }

    @Override
    public void onError(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void onCompleted() {
      next();
    }

    long[] latencies() throws Exception {
      long left = Math.max(0, measureEnd - System.nanoTime());
      // The last call may still be in flight when the window ends; it has its deadline to finish.
      return done.get(left + TimeUnit.SECONDS.toNanos(35), TimeUnit.NANOSECONDS);
    }
  }

  private static TeacherGrpc.TeacherStub withToken(
      TeacherGrpc.TeacherStub stub, String bearerToken) {
    if (bearerToken == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + bearerToken);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static List<LabelRequest> requests(LabeledImages images, int samplesPerRequest) {
    List<LabelRequest> requests = new ArrayList<>();
    int size = images.sampleSize();
    for (int first = 0; first + samplesPerRequest <= images.size(); first += samplesPerRequest) {
      LabelRequest.Builder request =
          LabelRequest.newBuilder().setTopK(FashionMnist.NUM_CLASSES).setTemperature(1f);
      for (int i = first; i < first + samplesPerRequest; i++) {
        Tensor.Builder tensor = Tensor.newBuilder().addAllShape(FashionMnist.SAMPLE_SHAPE);
        for (int v = 0; v < size; v++) {
          tensor.addValues(images.images()[i * size + v]);
        }
        request.addSamples(ModelInput.newBuilder().setTensor(tensor));
      }
      requests.add(request.build());
    }
    return requests;
  }

  /** Throughput in samples/s and the sorted request latencies in nanoseconds. */
  record Result(double throughput, long[] sortedLatencies) {
    String latencies() {
      if (sortedLatencies.length == 0) {
        return "no requests";
      }
      return String.format(
          "p50 %.2f ms, p99 %.2f ms over %d requests",
          percentile(0.50) / 1e6, percentile(0.99) / 1e6, sortedLatencies.length);
    }

    private double percentile(double q) {
      return sortedLatencies[
          Math.min(sortedLatencies.length - 1, (int) (q * sortedLatencies.length))];
    }
  }
}
