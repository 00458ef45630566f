package io.distillery.cli.bench;

import ai.djl.Model;
import io.distillery.cli.access.TokenIssuer;
import io.distillery.cli.process.ServiceProcess;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Teacher throughput, measured side by side in one run: (a) the in-process DJL forward pass at
 * batch 64; (b) gRPC Label with one caller sending one sample per request, batching off; (c) gRPC
 * with dynamic batching and many concurrent single-sample callers; (d) p50/p99 latency of (c). The
 * service runs as its own process from its packaged jar, as in production. A causal-LM model
 * directory is measured in tokens per second instead ({@link CausalLmTeacherBenchmark}).
 */
@Command(
    name = "teacher",
    mixinStandardHelpOptions = true,
    description = "Benchmark teacher-service: in-process vs gRPC, batching off vs on.")
public final class TeacherBenchmark implements Callable<Integer> {

  @Option(
      names = "--model-dir",
      required = true,
      description = "Teacher model directory (teacher-card.json, model.onnx).")
  Path modelDir;

  @Option(
      names = "--service-jar",
      defaultValue = "teacher-service/target/quarkus-app/quarkus-run.jar",
      description = "Packaged teacher-service (default: ${DEFAULT-VALUE}).")
  Path serviceJar;

  @Option(
      names = "--baseline-jar",
      description =
          "Compare with another build of teacher-service: run (c) and (e) against both jars at"
              + " the same time (same machine load for both) and print each one's server CPU per"
              + " request in steady state, after the warm-up.")
  Path baselineJar;

  @Option(names = "--engine", defaultValue = "OnnxRuntime", description = "Teacher engine.")
  String engine;

  @Option(names = "--callers", defaultValue = "32", description = "Concurrent callers in (c).")
  int callers;

  @Option(
      names = "--duration",
      defaultValue = "PT10S",
      description = "Measured time per scenario, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "PT3S", description = "Warm-up per scenario.")
  Duration warmup;

  @Option(names = "--log-dir", defaultValue = "target/bench", description = "Service logs.")
  Path logDir;

  @Option(
      names = "--service-jvm-option",
      description = "Extra JVM option for the service process (repeatable), e.g. a JFR recording.")
  List<String> serviceJvmOptions = new ArrayList<>();

  @Option(
      names = "--baseline-jvm-option",
      description =
          "Extra JVM option for the --baseline-jar's process only (repeatable): compares a JVM"
              + " setting when both jars are the same build.")
  List<String> baselineJvmOptions = new ArrayList<>();

  @Option(
      names = "--service-property",
      description = "Extra teacher-service setting (repeatable), e.g. key=value.")
  Map<String, String> serviceProperties = new HashMap<>();

  @Option(
      names = "--sequences-per-request",
      defaultValue = "16",
      description =
          "Causal LM: context-long windows per gRPC request and per in-process batch"
              + " (default: ${DEFAULT-VALUE}).")
  int sequencesPerRequest;

  @Option(
      names = "--lm-callers",
      defaultValue = "2",
      description = "Causal LM: concurrent gRPC callers (default: ${DEFAULT-VALUE}).")
  int lmCallers;

  @Option(
      names = "--top-k",
      defaultValue = "16",
      description = "Causal LM: entries kept per position (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--access-control",
      description =
          "Also run (c) and (e) against a teacher with access control on (bearer JWT, per-client"
              + " quota and top-k cap), with and without its token cache, and print the cost"
              + " beside the open teacher's.")
  boolean accessControl;

  /** Teacher CPU microseconds per (c) request, per kind of run (open, secured, uncached). */
  private final Map<String, List<Double>> cpuPerRequest = new HashMap<>();

  /** Label requests the teacher answered so far. */
  private static double servedRequests(ServiceProcess teacher) throws Exception {
    return teacher
        .metrics()
        .lines()
        .filter(
            l ->
                l.startsWith("distillery_teacher_requests_total{")
                    && l.contains("outcome=\"ok\"")
                    && l.contains("rpc=\"label\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Override
  public Integer call() throws Exception {
    TeacherCardFile card = TeacherCardFile.read(modelDir);
    if (card.isCausalLm()) {
      return new CausalLmTeacherBenchmark(this, card).run();
    }
    LabeledImages images = FashionMnist.test(FashionMnistLocator.locate()).head(1024);
    if (baselineJar != null) {
      return compare(images);
    }
    System.out.printf(
        "Teacher benchmark %s: %s on %s, %d cores, %s warm-up + %s per scenario%n",
        Instant.now(),
        modelDir,
        engine,
        Runtime.getRuntime().availableProcessors(),
        warmup,
        duration);

    double inProcess = inProcessThroughput(images);
    System.out.printf(
        "(a) in-process %s forward, batch 64:    %8.0f samples/s%n", engine, inProcess);

    TeacherLoad.Result unbatched;
    try (ServiceProcess teacher = startTeacher(1, "unbatched")) {
      unbatched = TeacherLoad.run(teacher.grpcPort(), images, warmup, duration, 1, 1);
    }
    System.out.printf(
        "(b) gRPC, 1 caller, batching off:        %8.0f samples/s  %s%n",
        unbatched.throughput(), unbatched.latencies());

    TeacherLoad.Result batched;
    TeacherLoad.Result bulk;
    try (ServiceProcess teacher = startTeacher(64, "batched")) {
      Duration serverCpu = teacher.cpuTime();
      long clientCpu = clientCpuNanos();
      double served = servedRequests(teacher);
      // The load runs on its own thread so that the teacher can be measured from the end of the
      // warm-up (start-up and most of the JIT's work behind it) to the end of the window.
      ExecutorService load = Executors.newSingleThreadExecutor();
      double[] steadyStart;
      double[] steadyEnd;
      try {
        Future<TeacherLoad.Result> run =
            load.submit(
                () -> TeacherLoad.run(teacher.grpcPort(), images, warmup, duration, callers, 1));
        Thread.sleep(warmup.toMillis());
        steadyStart = snapshot(teacher);
        batched = run.get();
        steadyEnd = snapshot(teacher);
      } finally {
        load.shutdownNow();
      }
      cpuPerRequest
          .computeIfAbsent("open", r -> new ArrayList<>())
          .add(
              teacher.cpuTime().minus(serverCpu).toNanos()
                  / 1e3
                  / (servedRequests(teacher) - served));
      // Where the cycles of (c) went: on two shared cores, client and server compete.
      System.out.printf(
          "    CPU during (c): client %.1f s, teacher-service %.1f s, over %.1f s of wall time%n",
          (clientCpuNanos() - clientCpu) / 1e9,
          teacher.cpuTime().minus(serverCpu).toMillis() / 1e3,
          (warmup.toMillis() + duration.toMillis()) / 1e3);
      double batches = teacher.metric("distillery_teacher_batch_size_count");
      System.out.printf(
          "    server side of (c): mean batch %.1f samples, mean forward pass %.2f ms%n",
          teacher.metric("distillery_teacher_batch_size_sum") / batches,
          teacher.metric("distillery_teacher_inference_seconds_sum") * 1000 / batches);
      // Per request: the service's CPU, and the forward passes' (wall) time shared out over the
      // requests they served; the difference is what the service spends outside inference.
      double requests = servedRequests(teacher) - served;
      double cpuMicros = teacher.cpuTime().minus(serverCpu).toNanos() / 1e3 / requests;
      double forwardMicros =
          teacher.metric("distillery_teacher_inference_seconds_sum") * 1e6 / requests;
      System.out.printf(
          "    teacher per (c) request: %.0f us CPU, of which forward passes %.0f us (wall),"
              + " outside inference ~%.0f us (%.0f requests, warm-up included)%n",
          cpuMicros, forwardMicros, cpuMicros - forwardMicros, requests);
      printSteadyState("    teacher per (c) request", steadyStart, steadyEnd);
      bulk = TeacherLoad.run(teacher.grpcPort(), images, warmup, duration, 2, 64);
    }
    System.out.printf(
        "(c) gRPC, %d callers, dynamic batching:   %8.0f samples/s%n",
        callers, batched.throughput());
    System.out.printf("(d) latency of (c):                      %s%n", batched.latencies());
    System.out.printf(
        "(e) gRPC, 2 callers x 64-sample requests:  %8.0f samples/s  %s%n",
        bulk.throughput(), bulk.latencies());
    System.out.printf(
        "ratios: (c)/(a) = %.2f (target >= 0.5 with the callers on the same cores, 0.9 without),"
            + " (c)/(b) = %.2f (target >= 4), (e)/(a) = %.2f (target >= 0.9)%n",
        batched.throughput() / inProcess,
        batched.throughput() / unbatched.throughput(),
        bulk.throughput() / inProcess);
    if (accessControl) {
      secured(images, batched, bulk);
    }
    return 0;
  }

  /**
   * (c) and (e) again with access control on — with the token cache (secured) and verifying every
   * call (uncached) — in the order open, secured, uncached, uncached, secured, open (the first open
   * run is the one above) so that a drift in the machine's load cancels out; the cost is 1 -
   * mean(secured) / mean(open) (target <= 5%).
   */
  private void secured(LabeledImages images, TeacherLoad.Result open, TeacherLoad.Result openBulk)
      throws Exception {
    String issuer = "https://bench.distillery";
    Path keys = java.nio.file.Files.createTempDirectory("teacher-issuer");
    TokenIssuer.generateKeys(keys);
    String token =
        TokenIssuer.mint(
            TokenIssuer.readPrivateKey(keys.resolve(TokenIssuer.PRIVATE_KEY)),
            issuer,
            "bench",
            List.of("describe", "label"),
            Duration.ofHours(6));
    Map<String, String> access = new HashMap<>();
    access.put("distillery.teacher.access.enabled", "true");
    access.put(
        "mp.jwt.verify.publickey.location",
        keys.resolve(TokenIssuer.PUBLIC_KEY).toAbsolutePath().toString());
    access.put("mp.jwt.verify.issuer", issuer);
    // A quota and a cap that every call checks but none reaches.
    access.put("distillery.teacher.access.clients.bench.samples-per-minute", "1000000000");
    access.put("distillery.teacher.access.clients.bench.max-top-k", "10");

    // The same, verifying the token on every call (the teacher before its token cache).
    Map<String, String> uncached = new HashMap<>(access);
    uncached.put("distillery.teacher.access.token-cache.max-size", "0");

    Map<String, List<double[]>> throughputs = new HashMap<>();
    throughputs
        .computeIfAbsent("open", r -> new ArrayList<>())
        .add(new double[] {open.throughput(), openBulk.throughput()});
    double refused = 0;
    // Symmetric order, so that a drift in the machine's load cancels out of the means.
    for (String round : List.of("secured-1", "uncached-1", "uncached-2", "secured-2", "open-2")) {
      String kind = round.substring(0, round.indexOf('-'));
      Map<String, String> settings =
          switch (kind) {
            case "secured" -> access;
            case "uncached" -> uncached;
            default -> Map.of();
          };
      try (ServiceProcess teacher = startTeacher(64, round, settings)) {
        String bearer = settings.isEmpty() ? null : token;
        Duration cpu = teacher.cpuTime();
        double served = servedRequests(teacher);
        TeacherLoad.Result batched =
            TeacherLoad.run(teacher.grpcPort(), images, warmup, duration, callers, 1, bearer);
        cpuPerRequest
            .computeIfAbsent(kind, r -> new ArrayList<>())
            .add(teacher.cpuTime().minus(cpu).toNanos() / 1e3 / (servedRequests(teacher) - served));
        TeacherLoad.Result bulk =
            TeacherLoad.run(teacher.grpcPort(), images, warmup, duration, 2, 64, bearer);
        throughputs
            .computeIfAbsent(kind, r -> new ArrayList<>())
            .add(new double[] {batched.throughput(), bulk.throughput()});
        refused +=
            teacher
                .metrics()
                .lines()
                .filter(
                    l ->
                        l.startsWith("distillery_teacher_access_total{")
                            && !l.contains("outcome=\"allowed\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
        System.out.printf(
            "    %-10s (c) %8.0f samples/s %s%n               (e) %8.0f samples/s %s%n",
            round, batched.throughput(), batched.latencies(), bulk.throughput(), bulk.latencies());
      }
    }
    double openC = mean(throughputs.get("open"), 0);
    double openE = mean(throughputs.get("open"), 1);
    double openCpu = mean(cpuPerRequest.get("open"));
    for (String kind : List.of("secured", "uncached")) {
      double c = mean(throughputs.get(kind), 0);
      double e = mean(throughputs.get(kind), 1);
      double cpu = mean(cpuPerRequest.get(kind));
      System.out.printf(
          "%-8s (c') %8.0f samples/s, (e') %8.0f (open, means of 2: %.0f, %.0f):"
              + " (c')/(c) = %.3f (cost %.1f%%), (e')/(e) = %.3f (cost %.1f%%);"
              + " teacher CPU per (c) request %s -> %.0f us vs open %s -> %.0f us (cost %.1f%%)%n",
          kind,
          c,
          e,
          openC,
          openE,
          c / openC,
          100 * (1 - c / openC),
          e / openE,
          100 * (1 - e / openE),
          rounded(cpuPerRequest.get(kind)),
          cpu,
          rounded(cpuPerRequest.get("open")),
          openCpu,
          100 * (cpu / openCpu - 1));
    }
    System.out.printf(
        "secured = token cache on (the default), uncached = token-cache.max-size=0; target cost"
            + " <= 5%%; calls refused: %.0f%n",
        refused);
  }

  private static List<String> rounded(List<Double> values) {
    return values.stream().map(d -> String.format("%.0f", d)).toList();
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
  }

  private static double mean(List<double[]> runs, int column) {
    return runs.stream().mapToDouble(r -> r[column]).average().orElse(Double.NaN);
  }

  private double inProcessThroughput(LabeledImages images) throws Exception {
    int batch = 64;
    int size = images.sampleSize();
    try (Model model = loadInProcess()) {
      ModelRunner runner = new ModelRunner(model, new long[] {1, 28, 28});
      float[] input = Arrays.copyOf(images.images(), batch * size);
      long end = System.nanoTime() + warmup.toNanos();
      while (System.nanoTime() < end) {
        runner.forward(input, batch);
      }
      long samples = 0;
      long start = System.nanoTime();
      end = start + duration.toNanos();
      while (System.nanoTime() < end) {
        runner.forward(input, batch);
        samples += batch;
      }
      return samples / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private Model loadInProcess() throws Exception {
    return TeacherArtifacts.PYTORCH.equals(engine)
        ? TeacherArtifacts.loadPyTorch(modelDir)
        : TeacherArtifacts.loadOnnx(modelDir, Map.of());
  }

  private ServiceProcess startTeacher(int maxBatchSize, String name) throws Exception {
    return startTeacher(maxBatchSize, name, Map.of());
  }

  /**
   * Baseline and candidate jar side by side: both teachers serve the same load at the same time, so
   * a drift in the machine's load hits both alike. CPU per request is counted from the end of the
   * warm-up (JIT and start-up excluded) to the end of the window.
   */
  private int compare(LabeledImages images) throws Exception {
    System.out.printf(
        "Teacher comparison %s: baseline %s vs candidate %s, %d cores, %s warm-up + %s%n",
        Instant.now(),
        baselineJar,
        serviceJar,
        Runtime.getRuntime().availableProcessors(),
        warmup,
        duration);
    List<String> baselineOptions = new ArrayList<>(serviceJvmOptions);
    baselineOptions.addAll(baselineJvmOptions);
    try (ServiceProcess baseline =
            startTeacher(64, "baseline", Map.of(), baselineJar, baselineOptions);
        ServiceProcess candidate = startTeacher(64, "candidate", Map.of(), serviceJar)) {
      ServiceProcess[] teachers = {baseline, candidate};
      String[] names = {"baseline", "candidate"};
      int[][] scenarios = {{callers, 1}, {2, 64}};
      for (int[] scenario : scenarios) {
        ExecutorService load = Executors.newFixedThreadPool(2);
        try {
          List<Future<TeacherLoad.Result>> runs = new ArrayList<>();
          for (ServiceProcess teacher : teachers) {
            runs.add(
                load.submit(
                    () ->
                        TeacherLoad.run(
                            teacher.grpcPort(),
                            images,
                            warmup,
                            duration,
                            scenario[0],
                            scenario[1])));
          }
          Thread.sleep(warmup.toMillis());
          double[][] start = new double[2][];
          for (int t = 0; t < 2; t++) {
            start[t] = snapshot(teachers[t]);
          }
          for (int t = 0; t < 2; t++) {
            TeacherLoad.Result result = runs.get(t).get();
            double[] end = snapshot(teachers[t]);
            double requests = end[1] - start[t][1];
            double cpu = (end[0] - start[t][0]) / requests;
            double forward = (end[2] - start[t][2]) / requests;
            double engine = (end[3] - start[t][3]) / requests;
            double jitGc = (end[4] - start[t][4]) / requests;
            System.out.printf(
                "%s, %d callers x %d-sample requests: %8.0f samples/s, %s%n"
                    + "    steady state: %.0f requests, server CPU %.0f us per request, forward"
                    + " passes %.0f us (wall)%n"
                    + "    per request by thread: batcher + engine %.0f us, JIT + GC %.0f us,"
                    + " all others (gRPC, Netty, Vert.x) %.0f us%n",
                names[t],
                scenario[0],
                scenario[1],
                result.throughput(),
                result.latencies(),
                requests,
                cpu,
                forward,
                engine,
                jitGc,
                cpu - engine - jitGc);
          }
        } finally {
          load.shutdownNow();
        }
      }
    }
    return 0;
  }

  /**
   * The teacher's CPU per request between two {@link #snapshot}s: in all, the forward passes' wall
   * time shared out over the requests, and by thread (batcher and engine, JIT and GC, the rest).
   */
  private static void printSteadyState(String label, double[] start, double[] end) {
    double requests = end[1] - start[1];
    double cpu = (end[0] - start[0]) / requests;
    double forward = (end[2] - start[2]) / requests;
    double engine = (end[3] - start[3]) / requests;
    double jitGc = (end[4] - start[4]) / requests;
    System.out.printf(
        "%s after the warm-up: %.0f us CPU, forward passes %.0f us (wall), outside inference"
            + " ~%.0f us (%.0f requests); by thread: batcher + engine %.0f us, JIT + GC %.0f us,"
            + " all others (gRPC, Netty, Vert.x) %.0f us%n",
        label, cpu, forward, cpu - forward, requests, engine, jitGc, cpu - engine - jitGc);
  }

  /**
   * CPU microseconds, requests served, forward-pass microseconds so far; then the CPU microseconds
   * of the batcher threads together with the engine's native threads (named "java": ONNX Runtime's
   * pool inherits the name), and of the JIT compilers and garbage collector — from /proc, 0 where
   * it cannot be read.
   */
  private static double[] snapshot(ServiceProcess teacher) throws Exception {
    double[] threads = threadCpuMicros(teacher.handle().pid());
    return new double[] {
      teacher.cpuTime().toNanos() / 1e3,
      servedRequests(teacher),
      teacher.metric("distillery_teacher_inference_seconds_sum") * 1e6,
      threads[0],
      threads[1]
    };
  }

  private static double[] threadCpuMicros(long pid) {
    double[] groups = new double[2];
    java.io.File[] tasks = new java.io.File("/proc/" + pid + "/task").listFiles();
    if (tasks == null) {
      return groups;
    }
    for (java.io.File task : tasks) {
      try {
        String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime and stime, fields 14 and 15 of stat (11 and 12 after the name), in clock ticks.
        double micros = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1e6 / 100;
        if (name.startsWith("teacher-batcher") || name.equals("java")) {
          groups[0] += micros;
        } else if (name.contains("Compiler") || name.startsWith("GC ") || name.startsWith("G1")) {
          groups[1] += micros;
        }
      } catch (java.io.IOException | RuntimeException e) {
        // A thread that ended between the listing and the read.
      }
    }
    return groups;
  }

  private ServiceProcess startTeacher(int maxBatchSize, String name, Map<String, String> extra)
      throws Exception {
    return startTeacher(maxBatchSize, name, extra, serviceJar);
  }

  private ServiceProcess startTeacher(
      int maxBatchSize, String name, Map<String, String> extra, Path jar) throws Exception {
    return startTeacher(maxBatchSize, name, extra, jar, serviceJvmOptions);
  }

  private ServiceProcess startTeacher(
      int maxBatchSize, String name, Map<String, String> extra, Path jar, List<String> jvmOptions)
      throws Exception {
    Map<String, String> properties = new HashMap<>(serviceProperties);
    properties.putAll(extra);
    properties.put("distillery.teacher.engine", engine);
    properties.put("distillery.teacher.model-dir", modelDir.toAbsolutePath().toString());
    properties.put("distillery.teacher.batching.max-batch-size", Integer.toString(maxBatchSize));
    properties.putIfAbsent("quarkus.log.level", "WARN");
    return ServiceProcess.start(
        jar,
        properties,
        jvmOptions,
        logDir.resolve("teacher-" + name + ".log"),
        Duration.ofMinutes(2));
  }
}
