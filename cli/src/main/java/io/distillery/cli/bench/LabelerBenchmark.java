package io.distillery.cli.bench;

import io.distillery.cli.process.ServiceProcess;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaBroker;
import io.distillery.localkafka.RecordWriter;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Labeler throughput from topic to topic with the real teacher-service, against the teacher's raw
 * gRPC throughput at the labeler's request size, in one run. Broker, teacher and labeler are
 * separate from the measuring client: the broker in this JVM, the services as their own processes.
 */
@Command(
    name = "labeler",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark labeler-service: prompts/s topic to topic vs raw teacher gRPC.",
      "With --text: a causal-LM teacher (--model-dir holding tokenizer.json), text prompts (Jane"
          + " Austen's training novels, a prompt per paragraph, or --corpus FILE), tokens/s topic"
          + " to topic vs the raw teacher on the same token windows."
    })
public final class LabelerBenchmark implements Callable<Integer> {

  @Option(names = "--model-dir", required = true, description = "Teacher model directory.")
  Path modelDir;

  @Spec CommandSpec spec;

  @Option(
      names = "--prompts",
      defaultValue = "20000",
      description =
          "Prompts to label; past the 60,000 training images they cycle under new ids (default:"
              + " ${DEFAULT-VALUE}).")
  int prompts;

  @Option(
      names = "--request-size",
      defaultValue = "256",
      description = "Samples per teacher request, for the labeler and the raw run.")
  int requestSize;

  @Option(
      names = "--in-flight",
      defaultValue = "4",
      description = "Concurrent teacher requests, for the labeler and the raw run.")
  int inFlight;

  @Option(
      names = "--teacher-jar",
      defaultValue = "teacher-service/target/quarkus-app/quarkus-run.jar",
      description = "Packaged teacher-service.")
  Path teacherJar;

  @Option(
      names = "--labeler-jar",
      defaultValue = "labeler-service/target/quarkus-app/quarkus-run.jar",
      description = "Packaged labeler-service.")
  Path labelerJar;

  @Option(names = "--log-dir", defaultValue = "target/bench", description = "Service logs.")
  Path logDir;

  @Option(
      names = "--labeler-jvm-option",
      description = "Extra JVM option for the labeler process (repeatable), e.g. a JFR recording.")
  List<String> labelerJvmOptions = new ArrayList<>();

  @Option(
      names = "--text",
      description = "Text mode: a causal-LM teacher and text prompts; tokens/s side by side.")
  boolean text;

  @Option(
      names = "--corpus",
      paramLabel = "FILE",
      description =
          "Text mode: prompts from this file (paragraphs, or .jsonl texts); default Austen.")
  Path corpus;

  @Option(
      names = "--top-k",
      defaultValue = "16",
      description = "Text mode: entries kept per position (default: ${DEFAULT-VALUE}).")
  int topK;

  @Override
  public Integer call() throws Exception {
    if (text) {
      return new LabelerTextRun(this).call();
    }
    if (prompts < 2) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--prompts must be at least 2, was " + prompts);
    }
    // More prompts than the 60,000 images cycle through them under new ids.
    LabeledImages images = FashionMnist.train(FashionMnistLocator.locate());
    System.out.printf(
        "Labeler benchmark %s: %d prompts, requests of %d, %d in flight, %d cores%n",
        Instant.now(), prompts, requestSize, inFlight, Runtime.getRuntime().availableProcessors());
    try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().build().start()) {
      kafka.createTopics(DistilleryTopics.ALL, 1);
      produce(kafka.bootstrapServers(), images);
      try (ServiceProcess teacher = startTeacher()) {
        LabelRates labelled;
        try (ServiceProcess labeler = startLabeler(kafka.bootstrapServers(), teacher.grpcPort())) {
          // CPU spent starting up (JVM, Quarkus, the gate's Describe), left out of the per prompt.
          Duration labelerAtStart = labeler.cpuTime();
          Duration teacherAtStart = teacher.cpuTime();
          SteadyStateWindow.Window secondHalf;
          try (SteadyStateWindow window = new SteadyStateWindow(labeler, teacher, prompts)) {
            // A missed end falls through: reading the topic below reports what is missing.
            window.awaitAllLabelled(Duration.ofMinutes(15));
            secondHalf = window.secondHalf();
          }
          labelled = measureLabels(kafka.bootstrapServers());
          // On two shared cores the broker, labeler and teacher compete: show who used what.
          Duration labelerCpu = labeler.cpuTime();
          Duration teacherCpu = teacher.cpuTime();
          System.out.printf(
              "    CPU while labelling: labeler %.1f s, teacher %.1f s%n",
              labelerCpu.toMillis() / 1e3, teacherCpu.toMillis() / 1e3);
          System.out.printf(
              "    CPU per prompt after start-up: labeler %.0f us, teacher %.0f us"
                  + " (labeler start-up %.1f s)%n",
              labelerCpu.minus(labelerAtStart).toNanos() / 1e3 / prompts,
              teacherCpu.minus(teacherAtStart).toNanos() / 1e3 / prompts,
              labelerAtStart.toMillis() / 1e3);
          if (secondHalf != null) {
            System.out.printf(
                "    CPU per prompt in the second half (the last %d prompts): labeler %.0f us"
                    + " (of which JIT compiler threads %.0f us, GC threads %.0f us),"
                    + " teacher %.0f us%n",
                secondHalf.labels(),
                secondHalf.labelerMicrosPerPrompt(),
                secondHalf.labelerJitMicrosPerPrompt(),
                secondHalf.labelerGcMicrosPerPrompt(),
                secondHalf.teacherMicrosPerPrompt());
          }
          java.nio.file.Files.writeString(
              logDir.resolve("labeler-bench-metrics.txt"), labeler.metrics());
          double polls = labeler.metric("distillery_labeler_poll_batch_size_records_count");
          double requests = labeler.metric("distillery_labeler_teacher_batch_size_samples_count");
          double teacherSeconds = labeler.metric("distillery_labeler_teacher_request_seconds_sum");
          System.out.printf(
              "    labeler side: mean poll batch %.1f, mean teacher request %.1f samples"
                  + " taking %.1f ms%n",
              labeler.metric("distillery_labeler_poll_batch_size_records_sum") / polls,
              labeler.metric("distillery_labeler_teacher_batch_size_samples_sum") / requests,
              teacherSeconds * 1000 / requests);
        }
        TeacherLoad.Result raw =
            TeacherLoad.run(
                teacher.grpcPort(),
                images.head(Math.min(images.size(), 4096)),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                inFlight,
                requestSize);
        System.out.printf(
            "labeler, topic to topic:         %8.0f prompts/s (second half %.0f prompts/s)%n",
            labelled.whole(), labelled.secondHalf());
        System.out.printf(
            "teacher raw gRPC, same requests: %8.0f samples/s  %s%n",
            raw.throughput(), raw.latencies());
        System.out.printf(
            "ratio labeler/teacher = %.2f, second half %.2f (target >= 0.8)%n",
            labelled.whole() / raw.throughput(), labelled.secondHalf() / raw.throughput());
      }
    }
    return 0;
  }

  private void produce(String bootstrap, LabeledImages images) throws Exception {
    int size = images.sampleSize();
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      for (int i = 0; i < prompts; i++) {
        int image = i % images.size();
        Tensor.Builder tensor = Tensor.newBuilder().addAllShape(FashionMnist.SAMPLE_SHAPE);
        for (int v = 0; v < size; v++) {
          tensor.addValues(images.images()[image * size + v]);
        }
        PromptEvent prompt =
            PromptEvent.newBuilder()
                .setId("bench-" + i)
                .setDataset("fashion-mnist/train")
                .setLabel(images.labels()[image])
                .setInput(ModelInput.newBuilder().setTensor(tensor))
                .build();
        writer.sendAsync(DistilleryTopics.PROMPTS, prompt.getId(), prompt.toByteArray());
      }
    }
  }

  /**
   * Prompts/s topic to topic, from the labeler's record timestamps: between the first and the last
   * soft label, and over the second half of them (after the labeler's JIT warm-up).
   */
  record LabelRates(double whole, double secondHalf) {}

  private LabelRates measureLabels(String bootstrap) {
    // Keys and timestamps only: a million labels of 3 KB would not fit in the heap.
    Set<String> keys = new HashSet<>();
    long[] timestamps = new long[prompts];
    int[] read = {0};
    TopicReader.readEach(
        bootstrap,
        Map.of(),
        DistilleryTopics.SOFT_LABELS,
        prompts,
        Duration.ofMinutes(15),
        label -> {
          keys.add(label.key());
          if (read[0] < timestamps.length) {
            timestamps[read[0]] = label.timestamp();
          }
          read[0]++;
        });
    if (keys.size() != prompts) {
      throw new IllegalStateException(
          "expected " + prompts + " labelled prompts, got " + keys.size() + " distinct keys");
    }
    Arrays.sort(timestamps);
    long first = timestamps[0];
    long middle = timestamps[timestamps.length / 2];
    long last = timestamps[timestamps.length - 1];
    return new LabelRates(
        (timestamps.length - 1) / ((last - first) / 1000.0),
        (timestamps.length - 1 - timestamps.length / 2) / (Math.max(1, last - middle) / 1000.0));
  }

  ServiceProcess startTeacher() throws Exception {
    return ServiceProcess.start(
        teacherJar,
        Map.of(
            "distillery.teacher.model-dir",
            modelDir.toAbsolutePath().toString(),
            "quarkus.log.level",
            "WARN"),
        List.of(),
        logDir.resolve("labeler-bench-teacher.log"),
        Duration.ofMinutes(2));
  }

  private ServiceProcess startLabeler(String bootstrap, int teacherPort) throws Exception {
    return startLabeler(bootstrap, teacherPort, Map.of());
  }

  ServiceProcess startLabeler(String bootstrap, int teacherPort, Map<String, String> extra)
      throws Exception {
    Map<String, String> config = new java.util.HashMap<>(extra);
    config.putAll(
        Map.of(
            "kafka.bootstrap.servers",
            bootstrap,
            "quarkus.grpc.clients.teacher.host",
            "127.0.0.1",
            "quarkus.grpc.clients.teacher.port",
            Integer.toString(teacherPort),
            "distillery.labeler.batch.max-size",
            Integer.toString(requestSize),
            "distillery.labeler.batch.max-in-flight",
            Integer.toString(inFlight),
            "quarkus.log.level",
            "WARN"));
    return ServiceProcess.start(
        labelerJar,
        config,
        labelerJvmOptions,
        logDir.resolve("labeler-bench-labeler.log"),
        Duration.ofMinutes(2));
  }
}
