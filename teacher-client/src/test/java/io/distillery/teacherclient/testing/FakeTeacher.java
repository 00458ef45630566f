package io.distillery.teacherclient.testing;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.TeacherLimits;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A programmable teacher for tests: a real {@code distillery.v1.Teacher} gRPC server on a real
 * socket. Tests set its card, how it answers ({@link Answerer}), a latency, failures by status (all
 * calls, or the next few), inputs it rejects, and can close and reopen its socket (an outage). It
 * validates requests like teacher-service (batch size and top-k against the card, tensor sizes
 * against the input shape, and for a causal-LM card token ids against the vocabulary and sequence
 * lengths against the context: INVALID_ARGUMENT naming the field) and counts what it was asked.
 * {@link BigramTeacher} makes it a causal language model that can generate.
 */
public final class FakeTeacher implements AutoCloseable {

  /** How the fake labels a valid request: one entry per sample, request order. */
  @FunctionalInterface
  public interface Answerer {
    List<SampleLabels> answer(LabelRequest request) throws Exception;
  }

  /** Largest request the default card accepts. */
  public static final int MAX_BATCH_SIZE = 8;

  /** The artifact digest of the default card. */
  public static final String SHA256 =
      "5f2b9c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";

  private final int port;
  private final ScheduledExecutorService delays =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fake-teacher-latency");
            t.setDaemon(true);
            return t;
          });
  private volatile TeacherCard card = defaultCard();
  private volatile Answerer answerer = FakeTeacher::uniform;
  private volatile Duration latency = Duration.ZERO;
  private volatile Status failure;
  private volatile Predicate<ModelInput> rejected = sample -> false;
  private volatile String rejectionReason = "";
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile Status failNextStatus = Status.UNAVAILABLE;
  private volatile Metadata failNextTrailers = new Metadata();
  private final AtomicInteger describeCalls = new AtomicInteger();
  private final AtomicInteger labelCalls = new AtomicInteger();
  private final AtomicInteger failedCalls = new AtomicInteger();
  private final AtomicInteger answeredCalls = new AtomicInteger();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> labelCallsBySha = new ConcurrentHashMap<>();
  // A delayed answer of an earlier test must not count in the next one.
  private final AtomicInteger epoch = new AtomicInteger();
  private Server server;

  private FakeTeacher(int port) {
    this.port = port;
  }

  /** Starts a healthy fake with the default card on a free port of this machine. */
  public static FakeTeacher start() throws IOException, InterruptedException {
    return start(0);
  }

  /** Starts a healthy fake with the default card on {@code port} (0 = a free one). */
  public static FakeTeacher start(int port) throws IOException, InterruptedException {
    FakeTeacher teacher = new FakeTeacher(port);
    teacher.startServing();
    return teacher;
  }

  /**
   * A Fashion-MNIST classifier card: [1, 28, 28] in, 10 classes out, at most 8 samples a request,
   * distillation allowed.
   */
  public static TeacherCard defaultCard() {
    return TeacherCard.newBuilder()
        .setModelId("fake-teacher")
        .setVersion("test-1")
        .setArtifactSha256(SHA256)
        .setEngine("PyTorch")
        .setTask(Task.TASK_CLASSIFICATION)
        .addAllInputShape(List.of(1L, 28L, 28L))
        .setOutputSize(10)
        .setLicenseSpdx("Apache-2.0")
        .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
        .setLimits(TeacherLimits.newBuilder().setMaxBatchSize(MAX_BATCH_SIZE).setMaxTopK(10))
        .build();
  }

  /** (Re)opens the socket on the same port; retried while the old socket is still closing. */
  public synchronized void startServing() throws IOException, InterruptedException {
    IOException last = null;
    // Reopened on the port it had, so clients reconnect to the same address.
    int bind = port != 0 ? port : lastPort;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        server = ServerBuilder.forPort(bind).addService(new Service()).build().start();
        lastPort = server.getPort();
        return;
      } catch (IOException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw last;
  }

  /** Closes the socket and drops every call in progress: the teacher is gone. */
  public synchronized void stopServing() throws InterruptedException {
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      server = null;
    }
  }

  private volatile int lastPort;

  /** The port it serves (or served, while stopped). */
  public synchronized int port() {
    if (server != null) {
      return server.getPort();
    }
    return port != 0 ? port : lastPort;
  }

  /** {@code host:port} of this fake on the loopback address. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** What Describe returns. */
  public FakeTeacher card(TeacherCard card) {
    this.card = card;
    return this;
  }

  public TeacherCard card() {
    return card;
  }

  /** Presents another artifact sha256 in Describe and in every answer (a new model version). */
  public FakeTeacher artifactSha256(String sha256) {
    this.card = card.toBuilder().setArtifactSha256(sha256).build();
    return this;
  }

  /** How valid Label requests are answered. */
  public FakeTeacher answers(Answerer answerer) {
    this.answerer = answerer;
    return this;
  }

  /** Delays every answer by {@code latency} (without holding a thread). */
  public FakeTeacher latency(Duration latency) {
    this.latency = latency;
    return this;
  }

  /** Fails every call, Describe included, with {@code status}; {@code null} heals. */
  public FakeTeacher failWith(Status status) {
    this.failure = status;
    return this;
  }

  /** Fails the next {@code calls} Label calls with {@code status}. */
  public FakeTeacher failNext(int calls, Status status) {
    return failNext(calls, status, new Metadata());
  }

  /** Fails the next {@code calls} Label calls with {@code status} and these trailers. */
  public FakeTeacher failNext(int calls, Status status, Metadata trailers) {
    this.failNextStatus = status;
    this.failNextTrailers = trailers;
    this.failNext.set(calls);
    return this;
  }

  /**
   * Answers INVALID_ARGUMENT naming the sample when a request holds a sample {@code which} hits.
   */
  public FakeTeacher rejectSamples(Predicate<ModelInput> which, String reason) {
    this.rejected = which;
    this.rejectionReason = reason;
    return this;
  }

  /** Healthy and instant again, with zero counts; card, answers and rejections are kept. */
  public FakeTeacher reset() {
    epoch.incrementAndGet();
    failure = null;
    failNext.set(0);
    latency = Duration.ZERO;
    describeCalls.set(0);
    labelCalls.set(0);
    failedCalls.set(0);
    answeredCalls.set(0);
    samples.set(0);
    maxRunning.set(0);
    batchSizes.clear();
    labelCallsBySha.clear();
    return this;
  }

  /** Describe calls received. */
  public int describeCalls() {
    return describeCalls.get();
  }

  /** Label calls received, answered or not. */
  public int labelCalls() {
    return labelCalls.get();
  }

  /** Label calls received while presenting {@code sha256}, answered or not. */
  public int labelCalls(String sha256) {
    AtomicInteger calls = labelCallsBySha.get(sha256);
    return calls == null ? 0 : calls.get();
  }

  /** Calls (Describe or Label) failed on purpose with a status. */
  public int failedCalls() {
    return failedCalls.get();
  }

  /** Label calls answered with labels. */
  public int answeredCalls() {
    return answeredCalls.get();
  }

  /** Samples labelled. */
  public long samples() {
    return samples.get();
  }

  /** Sizes of the Label requests answered, in order of arrival. */
  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  /** Most Label calls in progress at once. */
  public int maxConcurrentCalls() {
    return maxRunning.get();
  }

  @Override
  public void close() throws InterruptedException {
    stopServing();
    delays.shutdownNow();
  }

  /** Uniform distributions over the card's classes, top-k as requested. */
  private static List<SampleLabels> uniform(LabelRequest request) {
    return uniformAnswer(request, 10);
  }

  /** Uniform distributions over {@code classes} classes for every sample of {@code request}. */
  public static List<SampleLabels> uniformAnswer(LabelRequest request, int classes) {
    int k = Math.min(Math.max(request.getTopK(), 1), classes);
    float logProb = (float) -Math.log(classes);
    SparseDistribution.Builder d = SparseDistribution.newBuilder();
    for (int c = 0; c < k; c++) {
      d.addIds(c).addLogProbs(logProb);
    }
    SparseDistribution distribution = d.setTailMass(1f - k / (float) classes).build();
    List<SampleLabels> out = new ArrayList<>();
    for (int i = 0; i < request.getSamplesCount(); i++) {
      out.add(SampleLabels.newBuilder().addPositions(distribution).build());
    }
    return out;
  }

  private Status invalidOrNull(LabelRequest request, TeacherCard served) {
    int count = request.getSamplesCount();
    int max = served.getLimits().getMaxBatchSize();
    if (count < 1 || (max > 0 && count > max)) {
      return invalid("samples: " + count + " not in 1.." + (max > 0 ? max : "any"));
    }
    if (served.getOutputSize() > 0
        && (request.getTopK() < 1 || request.getTopK() > served.getOutputSize())) {
      return invalid("top_k: " + request.getTopK() + " not in 1.." + served.getOutputSize());
    }
    long size = 1;
    for (long d : served.getInputShapeList()) {
      size *= d;
    }
    for (int i = 0; i < count; i++) {
      ModelInput sample = request.getSamples(i);
      if (served.getTask() == Task.TASK_CAUSAL_LM) {
        Status tokens = invalidTokensOrNull(sample, i, served);
        if (tokens != null) {
          return tokens;
        }
      } else if (served.getInputShapeCount() > 0 && sample.getTensor().getValuesCount() != size) {
        return invalid(
            "samples["
                + i
                + "].tensor.values: "
                + sample.getTensor().getValuesCount()
                + " values, expected "
                + size);
      }
      if (rejected.test(sample)) {
        return invalid("samples[" + i + "]." + rejectionReason);
      }
    }
    return null;
  }

  /**
   * Token inputs as teacher-service checks them: present, in the vocabulary, within the context.
   */
  private static Status invalidTokensOrNull(ModelInput sample, int i, TeacherCard served) {
    if (!sample.hasTokens() || sample.getTokens().getIdsCount() == 0) {
      return invalid("samples[" + i + "].tokens.ids: a causal LM needs at least one token");
    }
    int max = served.getLimits().getMaxSequenceLength();
    int count = sample.getTokens().getIdsCount();
    if (max > 0 && count > max) {
      return invalid(
          "samples[" + i + "].tokens.ids: " + count + " tokens, longer than the context " + max);
    }
    for (int id : sample.getTokens().getIdsList()) {
      if (id < 0 || id >= served.getOutputSize()) {
        return invalid(
            "samples["
                + i
                + "].tokens.ids: id "
                + id
                + " not in 0.."
                + (served.getOutputSize() - 1));
      }
    }
    return null;
  }

  private static Status invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description);
  }

  private final class Service extends TeacherGrpc.TeacherImplBase {

    @Override
    public void describe(DescribeRequest request, StreamObserver<TeacherCard> response) {
      describeCalls.incrementAndGet();
      Status down = failure;
      if (down != null) {
        failedCalls.incrementAndGet();
        response.onError(down.withDescription("fake teacher fails").asRuntimeException());
        return;
      }
      response.onNext(card);
      response.onCompleted();
    }

    @Override
    public void label(LabelRequest request, StreamObserver<LabelResponse> response) {
      TeacherCard served = card;
      labelCalls.incrementAndGet();
      labelCallsBySha
          .computeIfAbsent(served.getArtifactSha256(), sha -> new AtomicInteger())
          .incrementAndGet();
      Status down = failure;
      Metadata trailers = new Metadata();
      if (down == null && failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        down = failNextStatus;
        trailers = failNextTrailers;
      }
      if (down != null) {
        failedCalls.incrementAndGet();
        response.onError(down.withDescription("fake teacher fails").asRuntimeException(trailers));
        return;
      }
      Status invalid = invalidOrNull(request, served);
      if (invalid != null) {
        response.onError(invalid.asRuntimeException());
        return;
      }
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      LabelResponse answer;
      try {
        answer =
            LabelResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setArtifactSha256(served.getArtifactSha256())
                .addAllSamples(answerer.answer(request))
                .build();
      } catch (Exception e) {
        running.decrementAndGet();
        response.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
        return;
      }
      int asked = epoch.get();
      Runnable reply =
          () -> {
            running.decrementAndGet();
            if (asked == epoch.get()) {
              batchSizes.add(request.getSamplesCount());
              samples.addAndGet(request.getSamplesCount());
              answeredCalls.incrementAndGet();
            }
            try {
              response.onNext(answer);
              response.onCompleted();
            } catch (RuntimeException cancelled) {
              // The caller gave up (deadline) or the socket closed: nothing to answer.
            }
          };
      Duration delay = latency;
      if (delay.isZero()) {
        reply.run();
      } else {
        delays.schedule(reply, delay.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }
}
