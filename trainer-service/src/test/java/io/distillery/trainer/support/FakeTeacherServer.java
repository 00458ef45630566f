package io.distillery.trainer.support;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.TopK;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Teacher gRPC server on a real socket that labels with a real DJL model (the fixture's MLP
 * teacher on PyTorch), for the online-mode tests and the benchmark. It can be stopped and started
 * again on the same port (an outage), adds an optional latency per request (so overlap is
 * observable), and counts what it labelled.
 */
public final class FakeTeacherServer implements AutoCloseable {

  /** The card it serves: the fixture teacher, under its own id. */
  public static final String MODEL_ID = "online-fixture-mlp";

  private final int port;
  private final Model model;
  private final ModelRunner runner;
  private final TeacherCard card;
  private final long latencyMillis;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final Set<Integer> viewHashes = ConcurrentHashMap.newKeySet();
  private Server server;

  private FakeTeacherServer(int port, long latencyMillis) throws Exception {
    this.port = port;
    this.latencyMillis = latencyMillis;
    this.model = TeacherArtifacts.loadPyTorch(FashionLabels.teacherDir());
    this.runner = new ModelRunner(model, new long[] {1, 28, 28});
    this.card = FashionLabels.card().toBuilder().setModelId(MODEL_ID).build();
  }

  /** Starts serving on {@code port}. */
  public static FakeTeacherServer start(int port, long latencyMillis) throws Exception {
    FakeTeacherServer teacher = new FakeTeacherServer(port, latencyMillis);
    teacher.startServing();
    return teacher;
  }

  /** (Re)opens the socket. */
  public synchronized void startServing() throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        server = ServerBuilder.forPort(port).addService(new Service()).build().start();
        return;
      } catch (IOException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw last;
  }

  /** Closes the socket and drops every call: the teacher is down. */
  public synchronized void stopServing() throws InterruptedException {
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      server = null;
    }
  }

  public TeacherCard card() {
    return card;
  }

  /** Samples labelled so far. */
  public long samples() {
    return samples.get();
  }

  /** Label requests answered so far. */
  public long requests() {
    return requests.get();
  }

  /** The most Label requests in progress at once. */
  public int maxConcurrentRequests() {
    return maxRunning.get();
  }

  /** Hashes of every view labelled. */
  public Set<Integer> viewHashes() {
    return viewHashes;
  }

  public void resetCounts() {
    samples.set(0);
    requests.set(0);
    maxRunning.set(0);
    viewHashes.clear();
  }

  @Override
  public void close() throws InterruptedException {
    stopServing();
    model.close();
  }

  private final class Service extends TeacherGrpc.TeacherImplBase {
    @Override
    public void describe(DescribeRequest request, StreamObserver<TeacherCard> response) {
      response.onNext(card);
      response.onCompleted();
    }

    @Override
    public void label(LabelRequest request, StreamObserver<LabelResponse> response) {
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      try {
        if (latencyMillis > 0) {
          Thread.sleep(latencyMillis);
        }
        int n = request.getSamplesCount();
        int size = 28 * 28;
        float[] inputs = new float[n * size];
        for (int i = 0; i < n; i++) {
          ModelInput sample = request.getSamples(i);
          if (sample.getTensor().getValuesCount() != size) {
            response.onError(
                Status.INVALID_ARGUMENT
                    .withDescription("sample " + i + " has " + sample.getTensor().getValuesCount())
                    .asRuntimeException());
            return;
          }
          for (int v = 0; v < size; v++) {
            inputs[i * size + v] = sample.getTensor().getValues(v);
          }
          viewHashes.add(sample.getTensor().getValuesList().hashCode());
        }
        float[] logits = runner.forward(inputs, n);
        LabelResponse.Builder out =
            LabelResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setArtifactSha256(card.getArtifactSha256());
        for (int i = 0; i < n; i++) {
          out.addSamples(
              SampleLabels.newBuilder()
                  .addPositions(
                      TopK.of(
                          logits,
                          i * FashionMnist.NUM_CLASSES,
                          FashionMnist.NUM_CLASSES,
                          request.getTopK(),
                          request.getTemperature())));
        }
        samples.addAndGet(n);
        requests.incrementAndGet();
        response.onNext(out.build());
        response.onCompleted();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        response.onError(Status.CANCELLED.asRuntimeException());
      } finally {
        running.decrementAndGet();
      }
    }
  }
}
