package io.distillery.cli.bench;

import ai.djl.Model;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.process.ServiceProcess;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.nn.TopK;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.text.TextCorpus;
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.TokenSequence;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The causal-LM mode of {@code bench teacher}: tokens (positions) per second labelled, on windows
 * of the held-out novel as long as the teacher's context, (a) in-process — the forward pass alone
 * and the forward pass plus top-k per position, the work the service does — and (b) over gRPC with
 * batched requests to teacher-service running as its own process, side by side in one run.
 */
final class CausalLmTeacherBenchmark {

  private final TeacherBenchmark options;
  private final TeacherCardFile card;
  private final PrintStream out = System.out;

  CausalLmTeacherBenchmark(TeacherBenchmark options, TeacherCardFile card) {
    this.options = options;
    this.card = card;
  }

  int run() throws Exception {
    int context = card.languageModel().maxSequenceLength();
    int vocab = card.outputSize();
    int perRequest = options.sequencesPerRequest;
    int k = options.topK;
    List<int[]> windows = heldOutWindows(context, 256);
    out.printf(
        "Teacher benchmark (causal LM) %s: %s on %s, %d cores, %s warm-up + %s per scenario;"
            + " %d-token windows of %s, %d per request/batch, top-%d%n",
        Instant.now(),
        options.modelDir,
        options.engine,
        Runtime.getRuntime().availableProcessors(),
        options.warmup,
        options.duration,
        context,
        JaneAusten.HELD_OUT,
        perRequest,
        k);

    double forwardOnly;
    double withTopK;
    try (Model model = loadInProcess()) {
      LmRunner runner = new LmRunner(model);
      forwardOnly = inProcess(runner, windows, perRequest, vocab, 0);
      out.printf(
          "(a) in-process %s forward, batch %d:            %8.0f tokens/s%n",
          options.engine, perRequest, forwardOnly);
      long cpuBefore = processCpuNanos();
      withTopK = inProcess(runner, windows, perRequest, vocab, k);
      // CPU per token over warm-up and measurement, at the measured rate.
      double tokens = withTopK * (options.warmup.toNanos() + options.duration.toNanos()) / 1e9;
      out.printf(
          "(a') in-process forward + top-%d per position:   %8.0f tokens/s   (%.1f µs CPU/token)%n",
          k, withTopK, (processCpuNanos() - cpuBefore) / tokens / 1e3);
    }

    double grpc;
    try (ServiceProcess teacher = startTeacher()) {
      Duration serverCpu = teacher.cpuTime();
      long clientCpu = processCpuNanos();
      grpc = overGrpc(teacher.grpcPort(), windows, perRequest, k);
      double server = teacher.cpuTime().minus(serverCpu).toNanos();
      double client = processCpuNanos() - clientCpu;
      double tokens = grpc * (options.warmup.toNanos() + options.duration.toNanos()) / 1e9;
      double batches = teacher.metric("distillery_teacher_batch_size_count");
      out.printf(
          "(b) gRPC, %d callers x %d-sequence requests:     %8.0f tokens/s   (%.1f µs CPU/token"
              + " in teacher-service + %.1f in the client)%n",
          options.lmCallers, perRequest, grpc, server / tokens / 1e3, client / tokens / 1e3);
      out.printf(
          "    server side of (b): %.1f s CPU, mean batch %.1f sequences, mean forward pass %.1f"
              + " ms%n",
          server / 1e9,
          teacher.metric("distillery_teacher_batch_size_sum") / batches,
          teacher.metric("distillery_teacher_inference_seconds_sum") * 1000 / batches);
    }
    out.printf(
        "ratios: (b)/(a') = %.2f (target >= 0.8), (b)/(a) = %.2f%n",
        grpc / withTopK, grpc / forwardOnly);
    return 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The first {@code count} windows of {@code context} tokens of the held-out novel. */
  private List<int[]> heldOutWindows(int context, int count) throws Exception {
    TextCorpus heldOut =
        JaneAusten.heldOut(JaneAustenData.locateOrFetch(Path.of("target/data"), out));
    try (TextTokenizer tokenizer = TeacherArtifacts.loadTokenizer(options.modelDir)) {
      long[] ids = tokenizer.encode(heldOut.documents().get(0).text());
      List<int[]> windows = new ArrayList<>();
      for (int from = 0; from + context <= ids.length && windows.size() < count; from += context) {
        windows.add(
            Arrays.stream(Arrays.copyOfRange(ids, from, from + context))
                .mapToInt(Math::toIntExact)
                .toArray());
      }
      return windows;
    }
  }

  /** Closed loop on one thread: batches of windows through the engine, top-k when k > 0. */
  private double inProcess(LmRunner runner, List<int[]> windows, int batch, int vocab, int k) {
    long tokens = 0;
    long warmEnd = System.nanoTime() + options.warmup.toNanos();
    long start = 0;
    long end = Long.MAX_VALUE;
    for (int i = 0; ; i++) {
      long now = System.nanoTime();
      if (start == 0 && now >= warmEnd) {
        start = now;
        end = start + options.duration.toNanos();
      }
      if (now >= end) {
        break;
      }
      long[][] ids = new long[batch][];
      long[][] mask = new long[batch][];
      for (int b = 0; b < batch; b++) {
        int[] window = windows.get((i * batch + b) % windows.size());
        ids[b] = Arrays.stream(window).asLongStream().toArray();
        mask[b] = new long[window.length];
        Arrays.fill(mask[b], 1);
      }
      float[] logits = runner.logits(ids, mask);
      int positions = logits.length / vocab;
      if (k > 0) {
        for (int p = 0; p < positions; p++) {
          TopK.of(logits, p * vocab, vocab, k, 1f);
        }
      }
      if (start != 0) {
        tokens += positions;
      }
    }
    return tokens / ((System.nanoTime() - start) / 1e9);
  }

  /** Closed-loop callers, each sending one request of {@code perRequest} windows at a time. */
  private double overGrpc(int port, List<int[]> windows, int perRequest, int k) throws Exception {
    List<LabelRequest> requests = new ArrayList<>();
    for (int first = 0; first + perRequest <= windows.size(); first += perRequest) {
      LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(k).setTemperature(1f);
      for (int[] window : windows.subList(first, first + perRequest)) {
        TokenSequence.Builder tokens = TokenSequence.newBuilder();
        for (int id : window) {
          tokens.addIds(id);
        }
        request.addSamples(ModelInput.newBuilder().setTokens(tokens));
      }
      requests.add(request.build());
    }
    int callers = options.lmCallers;
    List<ManagedChannel> channels = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      long warmEnd = System.nanoTime() + options.warmup.toNanos();
      long measureEnd = warmEnd + options.duration.toNanos();
      List<Future<Long>> done = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        ManagedChannel channel =
            ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        channels.add(channel);
        TeacherGrpc.TeacherBlockingStub stub = TeacherGrpc.newBlockingStub(channel);
        int offset = c;
        done.add(
            pool.submit(
                () -> {
                  long positions = 0;
                  for (int i = offset; System.nanoTime() < measureEnd; i += callers) {
                    LabelResponse response =
                        stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                            .label(requests.get(i % requests.size()));
                    long now = System.nanoTime();
                    if (now >= warmEnd && now <= measureEnd) {
                      for (var sample : response.getSamplesList()) {
                        positions += sample.getPositionsCount();
                      }
                    }
                  }
                  return positions;
                }));
      }
      long positions = 0;
      for (Future<Long> caller : done) {
        positions += caller.get();
      }
      return positions / (options.duration.toNanos() / 1e9);
    } finally {
      pool.shutdownNow();
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  /** The engine the service uses, with the service's ONNX Runtime session options. */
  private Model loadInProcess() throws Exception {
    if (TeacherArtifacts.PYTORCH.equals(options.engine)) {
      return TeacherArtifacts.loadPyTorch(options.modelDir);
    }
    OrtSession.SessionOptions session = new OrtSession.SessionOptions();
    try {
      session.addConfigEntry("session.intra_op.allow_spinning", "0");
      session.addConfigEntry("session.inter_op.allow_spinning", "0");
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    return TeacherArtifacts.loadOnnx(options.modelDir, Map.of("sessionOptions", session));
  }

  private ServiceProcess startTeacher() throws Exception {
    Map<String, String> properties = new HashMap<>(options.serviceProperties);
    properties.put("distillery.teacher.engine", options.engine);
    properties.put("distillery.teacher.model-dir", options.modelDir.toAbsolutePath().toString());
    properties.putIfAbsent("quarkus.log.level", "WARN");
    properties.putIfAbsent("quarkus.grpc.server.max-inbound-message-size", "67108864");
    return ServiceProcess.start(
        options.serviceJar,
        properties,
        options.serviceJvmOptions,
        options.logDir.resolve("teacher-causal-lm.log"),
        Duration.ofMinutes(2));
  }
}
