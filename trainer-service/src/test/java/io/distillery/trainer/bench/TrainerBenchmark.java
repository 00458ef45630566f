package io.distillery.trainer.bench;

import ai.djl.Model;
import io.distillery.localkafka.LocalKafkaBroker;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.ModelRunner;
import io.distillery.proto.kafka.SoftLabelEventDeserializer;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.distillery.trainer.checkpoint.JobCheckpoints;
import io.distillery.trainer.job.DistillationService;
import io.distillery.trainer.job.JobHooks;
import io.distillery.trainer.job.JobResult;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.job.OnlineSettings;
import io.distillery.trainer.job.Source;
import io.distillery.trainer.labels.KafkaLabelFeed;
import io.distillery.trainer.labels.LabelDecoder;
import io.distillery.trainer.labels.SoftLabel;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.online.OnlineTargets;
import io.distillery.trainer.support.FashionLabels;
import io.distillery.trainer.support.FixtureTeacher;
import io.distillery.trainer.support.RecordingPublisher;
import io.distillery.trainer.training.OfflineTargets;
import io.distillery.trainer.training.StepResult;
import io.distillery.trainer.training.StudentTrainer;
import io.distillery.trainer.training.TargetSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * trainer-service benchmark (BENCHMARKS.md): the same student trained for the same number of
 * samples (a) from a Kafka topic through the service's job loop and (b) from the same labels held
 * in memory; online mode against a Teacher gRPC server on a local socket; RSS after the first pass
 * against RSS after ten times more steps; the cost of resuming without Adam's state.
 *
 * <p>Options: {@code --labels N} (20000), {@code --passes N} (11), {@code --online-passes N} (1),
 * {@code --batch N} (128), {@code --teacher-dir DIR} (default: a 784-256-10 MLP teacher trained
 * briefly here; a {@code fashion-cnn} directory from {@code distillery teacher train} makes online
 * mode pay a real CNN's forward passes).
 */
public final class TrainerBenchmark {

  private static final String TOPIC = "bench.soft-labels";

  private TrainerBenchmark() {}

  public static void main(String[] args) throws Exception {
    int labels = intArg(args, "--labels", 20_000);
    int passes = intArg(args, "--passes", 11);
    int onlinePasses = intArg(args, "--online-passes", 1);
    int batch = intArg(args, "--batch", 128);
    String teacherDir = stringArg(args, "--teacher-dir", null);
    if (teacherDir != null) {
      System.setProperty("distillery.test.teacher-dir", teacherDir);
    }
    Path work = Files.createTempDirectory("trainer-bench");
    io.distillery.trainer.support.TempDirs.deleteOnExit(work);
    System.out.printf(
        Locale.ROOT,
        "labels %d, passes %d, batch %d, %d cores, PyTorch threads %s%n",
        labels,
        passes,
        batch,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"));

    try (LocalKafkaBroker broker =
        LocalKafkaBroker.builder().dataDir(work.resolve("kafka")).build()) {
      broker.start();
      broker.createTopics(List.of(TOPIC, "distill.checkpoints"), 1);
      long t0 = System.nanoTime();
      List<SoftLabelEvent> events = produce(broker.bootstrapServers(), labels);
      System.out.printf(
          Locale.ROOT,
          "produced %d real soft labels (top-%d at T=%s) in %.1f s%n",
          events.size(),
          FashionLabels.TOP_K,
          FashionLabels.TEMPERATURE,
          seconds(System.nanoTime() - t0));
      List<SoftLabel> inMemory = decode(events);
      events = null;

      JobSpec spec =
          JobSpec.defaults("bench", work.resolve("checkpoints")).toBuilder()
              .topic(TOPIC)
              .batchSize(batch)
              .passes(passes)
              .build();
      long samples = (long) passes * inMemory.size();

      // Warm-up of both paths (JIT, page cache), not measured.
      inMemory(spec, inMemory, inMemory.size());
      kafka(spec.toBuilder().jobId("bench-warm-up").passes(1).build(), broker.bootstrapServers());
      // Interleaved rounds: the machine is shared, so each (a) is bracketed by (b) runs.
      List<Run> memoryRuns = new ArrayList<>();
      List<Run> kafkaRuns = new ArrayList<>();
      memoryRuns.add(inMemory(spec, inMemory, samples));
      for (int round = 0; round < 2; round++) {
        kafkaRuns.add(kafka(spec.withJobId("bench-" + round), broker.bootstrapServers()));
        memoryRuns.add(inMemory(spec, inMemory, samples));
      }
      System.out.printf(
          Locale.ROOT,
          "%n| run | samples | wall s | samples/s | process CPU s | training thread CPU s |%n"
              + "|---|---|---|---|---|---|%n");
      for (int i = 0; i < memoryRuns.size(); i++) {
        print("(b) in memory #" + (i + 1), memoryRuns.get(i));
        if (i < kafkaRuns.size()) {
          print("(a) Kafka topic, job loop #" + (i + 1), kafkaRuns.get(i));
        }
      }
      double memory = median(memoryRuns);
      double kafkaRate = median(kafkaRuns);
      System.out.printf(
          Locale.ROOT,
          "ratio (a)/(b) = %.3f (medians: %.0f / %.0f samples/s); CPU per sample: (a) %.1f µs,"
              + " (b) %.1f µs%n",
          kafkaRate / memory,
          kafkaRate,
          memory,
          1e6 * kafkaRuns.get(0).cpuSeconds / kafkaRuns.get(0).samples,
          1e6 * memoryRuns.get(0).cpuSeconds / memoryRuns.get(0).samples);
      Run kafka = kafkaRuns.get(0);
      System.out.printf(
          Locale.ROOT,
          "checkpoints in (a): %d, mean %.0f ms each%n",
          kafka.checkpoints,
          kafka.checkpointMillis);
      System.out.printf(
          Locale.ROOT,
          "RSS after pass 1: %.0f MB; after pass %d (%dx the steps): %.0f MB (%+.1f%%); max %.0f MB%n",
          kafka.rssAfterFirstPass / 1e6,
          passes,
          passes,
          kafka.rssAtEnd / 1e6,
          100.0 * (kafka.rssAtEnd - kafka.rssAfterFirstPass) / kafka.rssAfterFirstPass,
          kafka.rssMax / 1e6);

      for (int inFlight : new int[] {1, 2, 4}) {
        double online =
            online(
                spec.toBuilder()
                    .jobId("bench-online-" + inFlight)
                    .passes(onlinePasses)
                    .source(Source.ONLINE)
                    .online(
                        new OnlineSettings(
                            0,
                            2,
                            0f,
                            inFlight,
                            Duration.ofSeconds(30),
                            Duration.ofMillis(100),
                            Duration.ofSeconds(2)))
                    .build(),
                broker.bootstrapServers(),
                (long) onlinePasses * inMemory.size());
        System.out.printf(
            Locale.ROOT,
            "online, max-in-flight %d: %.0f samples/s = %.3f of (b)%n",
            inFlight,
            online,
            online / memory);
        System.out.flush();
      }
      adamResumeCost(spec, inMemory);
    }
  }

  // ---- (b): the same labels in memory ------------------------------------------------------

  private static Run inMemory(JobSpec spec, List<SoftLabel> labels, long samples) throws Exception {
    OfflineTargets targets = OfflineTargets.of(spec);
    Random random = new Random(spec.seed());
    List<SoftLabel> order = new ArrayList<>(labels);
    try (StudentTrainer student = trainer(spec, null, null)) {
      long done = 0;
      Clock clock = new Clock();
      while (done < samples) {
        java.util.Collections.shuffle(order, random);
        for (int i = 0; i < order.size() && done < samples; i += spec.batchSize()) {
          int n = (int) Math.min(Math.min(spec.batchSize(), order.size() - i), samples - done);
          student.step(targets.batch(order.subList(i, i + n)));
          done += n;
        }
      }
      return clock.run(done, 0, 0, 0, 0, 0);
    }
  }

  // ---- (a): through the service's loop from Kafka ------------------------------------------

  /** One measured run. */
  private record Run(
      long samples,
      double seconds,
      double cpuSeconds,
      double threadCpuSeconds,
      long rssAfterFirstPass,
      long rssAtEnd,
      long rssMax,
      long checkpoints,
      double checkpointMillis) {
    double samplesPerSecond() {
      return samples / seconds;
    }
  }

  /** Wall and CPU time since construction. */
  private static final class Clock {
    private final long wall = System.nanoTime();
    private final long cpu = processCpu();
    private final long thread =
        java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();

    Run run(
        long samples,
        long rssFirst,
        long rssEnd,
        long rssMax,
        long checkpoints,
        double checkpointMillis) {
      return new Run(
          samples,
          seconds(System.nanoTime() - wall),
          (processCpu() - cpu) / 1e9,
          (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
                  - thread)
              / 1e9,
          rssFirst,
          rssEnd,
          rssMax,
          checkpoints,
          checkpointMillis);
    }

    private static long processCpu() {
      return ((com.sun.management.OperatingSystemMXBean)
              java.lang.management.ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }

  private static Run kafka(JobSpec spec, String bootstrap) throws Exception {
    long[] rss = {0, 0, 0};
    JobHooks hooks =
        new JobHooks() {
          @Override
          public void afterStep(int pass, long step, int samples, StepResult loss) {
            if (pass == 1 && rss[0] == 0) {
              rss[0] = rss();
              rss[2] = outsideJavaHeap();
            }
            if (step % 50 == 0) {
              rss[1] = Math.max(rss[1], rss());
            }
          }
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Long> cpuBefore = threadCpu();
    Clock clock = new Clock();
    JobResult result;
    try (KafkaLabelFeed feed =
        new KafkaLabelFeed(bootstrap, spec.topic(), spec.consumerGroup(), 4096, Map.of())) {
      result =
          new DistillationService(
                  spec,
                  feed,
                  OfflineTargets.of(spec),
                  new JobCheckpoints(
                      spec.checkpointDir(),
                      spec.jobId(),
                      new RecordingPublisher(),
                      hooks::beforeCheckpointFile),
                  new JobMetrics(registry, spec.jobId()),
                  hooks)
              .run();
      printCpuByThread(spec.jobId(), cpuBefore, threadCpu());
    }
    var timer = registry.get("distillery_trainer_checkpoint_duration").timer();
    if (rss[2] > 0) {
      System.out.printf(
          Locale.ROOT,
          "  RSS outside the Java heap and non-heap pools, (a) run %s: %.0f MB after pass 1, %.0f"
              + " MB at the end%n",
          spec.jobId(),
          rss[2] / 1e6,
          outsideJavaHeap() / 1e6);
    }
    return clock.run(
        result.samplesSeen(),
        rss[0],
        rss(),
        Math.max(rss[1], rss()),
        timer.count(),
        timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  /** CPU nanoseconds per thread group (numbers in thread names folded). */
  private static Map<String, Long> threadCpu() {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new java.util.HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      long cpu = mx.getThreadCpuTime(thread.getId());
      if (cpu > 0) {
        out.merge(thread.getName().replaceAll("[0-9]+", "N"), cpu, Long::sum);
      }
    }
    return out;
  }

  private static void printCpuByThread(
      String job, Map<String, Long> before, Map<String, Long> after) {
    StringBuilder line = new StringBuilder("  CPU s by thread, (a) run " + job + ":");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 50_000_000L)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .limit(8)
        .forEach(
            e ->
                line.append(
                    String.format(Locale.ROOT, " %s %.2f;", e.getKey(), e.getValue() / 1e9)));
    System.out.println(line);
  }

  private static void print(String name, Run run) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %.1f | %.0f | %.1f | %.1f |%n",
        name,
        run.samples,
        run.seconds,
        run.samplesPerSecond(),
        run.cpuSeconds,
        run.threadCpuSeconds);
  }

  private static double median(List<Run> runs) {
    double[] rates = runs.stream().mapToDouble(Run::samplesPerSecond).sorted().toArray();
    int n = rates.length;
    return n % 2 == 1 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
  }

  // ---- online mode --------------------------------------------------------------------------

  private static double online(JobSpec spec, String bootstrap, long expected) throws Exception {
    FixtureTeacher fixture = new FixtureTeacher();
    FakeTeacher teacher = fixture.serve(FakeTeacher.start());
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(teacher.address())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    try (teacher;
        fixture;
        KafkaLabelFeed feed =
            new KafkaLabelFeed(bootstrap, spec.topic(), spec.consumerGroup(), 4096, Map.of());
        TargetSource targets =
            new OnlineTargets(
                spec,
                MutinyTeacherGrpc.newMutinyStub(channel),
                new JobMetrics(new SimpleMeterRegistry(), spec.jobId()))) {
      long start = System.nanoTime();
      JobResult result =
          new DistillationService(
                  spec,
                  feed,
                  targets,
                  new JobCheckpoints(
                      spec.checkpointDir(), spec.jobId(), new RecordingPublisher(), (s, f) -> {}),
                  new JobMetrics(new SimpleMeterRegistry(), spec.jobId() + "-job"),
                  JobHooks.NONE)
              .run();
      if (result.samplesSeen() != expected) {
        throw new IllegalStateException(
            "online run trained " + result.samplesSeen() + " samples, expected " + expected);
      }
      return result.samplesSeen() / seconds(System.nanoTime() - start);
    } finally {
      channel.shutdownNow();
    }
  }

  // ---- resuming without Adam's state --------------------------------------------------------

  private static void adamResumeCost(JobSpec spec, List<SoftLabel> labels) throws Exception {
    OfflineTargets targets = OfflineTargets.of(spec);
    int batch = spec.batchSize();
    int onePass = labels.size() / batch;
    Random random = new Random(7);
    List<List<SoftLabel>> batches = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      List<SoftLabel> order = new ArrayList<>(labels);
      java.util.Collections.shuffle(order, random);
      for (int i = 0; i + batch <= order.size(); i += batch) {
        batches.add(order.subList(i, i + batch));
      }
    }
    byte[] params;
    byte[] adam;
    try (StudentTrainer student = trainer(spec, null, null)) {
      for (int i = 0; i < onePass; i++) {
        student.step(targets.batch(batches.get(i)));
      }
      params = bytes(student::writeParameters);
      adam = bytes(student::writeOptimizerState);
    }
    LabeledImages test = FashionLabels.test();
    System.out.printf(
        Locale.ROOT,
        "%nresuming after pass 1 (%d steps), then pass 2 on the same batches:%n"
            + "| optimizer state | loss, first 20 steps | loss, whole pass 2 | test errors after |%n"
            + "|---|---|---|---|%n",
        onePass);
    for (boolean restore : new boolean[] {true, false}) {
      try (StudentTrainer student = trainer(spec, params, restore ? adam : null)) {
        double first = 0;
        double all = 0;
        for (int i = onePass; i < 2 * onePass; i++) {
          StepResult loss = student.step(targets.batch(batches.get(i)));
          if (i < onePass + 20) {
            first += loss.total();
          }
          all += loss.total();
        }
        Model model = student.model();
        int errors = new ModelRunner(model, test.sampleShape()).errors(test, 500);
        System.out.printf(
            Locale.ROOT,
            "| %s | %.4f | %.4f | %d |%n",
            restore ? "Adam state restored" : "fresh Adam (state not saved)",
            first / 20,
            all / onePass,
            errors);
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static StudentTrainer trainer(JobSpec spec, byte[] params, byte[] adam) throws Exception {
    return new StudentTrainer(
        spec.network(),
        spec.loss(),
        spec.optimizer(),
        spec.learningRate(),
        spec.seed(),
        params,
        adam);
  }

  private interface Writer {
    void write(java.io.OutputStream out) throws java.io.IOException;
  }

  private static byte[] bytes(Writer writer) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out);
    return out.toByteArray();
  }

  private static List<SoftLabelEvent> produce(String bootstrap, int count) throws Exception {
    List<SoftLabelEvent> events = new ArrayList<>(count);
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
      for (int first = 0; first < count; first += 5000) {
        for (SoftLabelEvent event : FashionLabels.events(first, Math.min(5000, count - first))) {
          producer.send(new ProducerRecord<>(TOPIC, event.getPromptId(), event.toByteArray()));
          events.add(event);
        }
      }
      producer.flush();
    }
    return events;
  }

  private static List<SoftLabel> decode(List<SoftLabelEvent> events) throws Exception {
    LabelDecoder decoder = new LabelDecoder();
    SoftLabelEventDeserializer deserializer = new SoftLabelEventDeserializer();
    List<SoftLabel> out = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      out.add(decoder.decode(0, i, deserializer.deserialize(TOPIC, events.get(i).toByteArray())));
    }
    return out;
  }

  /**
   * RSS minus the committed Java heap and non-heap pools: native memory (PyTorch, malloc arenas,
   * thread stacks). Growth here, not in the heap the JVM sizes as it likes, would be a leak.
   */
  static long outsideJavaHeap() {
    var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    return rss()
        - memory.getHeapMemoryUsage().getCommitted()
        - memory.getNonHeapMemoryUsage().getCommitted();
  }

  /** Resident set size of this process, from /proc/self/status. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static int intArg(String[] args, String name, int fallback) {
    String value = stringArg(args, name, null);
    return value == null ? fallback : Integer.parseInt(value);
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
