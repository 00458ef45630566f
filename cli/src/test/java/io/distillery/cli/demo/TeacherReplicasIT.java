package io.distillery.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.process.KafkaProcess;
import io.distillery.cli.process.ServiceProcess;
import io.distillery.cli.produce.PromptProducer;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Several teacher replicas behind one name, through the real processes: two teacher-services (on
 * 127.0.0.1 and 127.0.0.2, one gRPC port, as two pods behind a headless Service), a labeler whose
 * client resolves {@value #TEACHER_HOST} with DNS (a hosts file maps it to both addresses) and
 * balances round robin, and a real broker. Both replicas must receive work; one is killed ({@code
 * kill -9}) while prompts are being labelled, and every prompt must still be labelled, none
 * dead-lettered.
 */
class TeacherReplicasIT {

  static final int PROMPTS = 4_000;
  static final String TEACHER_HOST = "teacher.replicas.test";
  static final Duration LABELLING_TIMEOUT = Duration.ofMinutes(8);

  @Test
  void bothReplicasLabelAndKillingOneLosesNoPrompt() throws Exception {
    Path root = DemoPipelineIT.ROOT;
    Path runDir = root.resolve("cli/target/it-replicas");
    DemoPipelineIT.deleteRecursively(runDir);
    Path logs = runDir.resolve("logs");
    DemoSettings settings =
        new DemoSettings(
            root,
            runDir,
            root.resolve("cli/target/it-cache"),
            Optional.empty(),
            1, // the reduced demo's teacher: shared through the cache
            0,
            PROMPTS,
            List.of(1),
            false,
            1,
            io.distillery.models.augment.TransferSet.plain(),
            ChosenSettings.training().withPasses(1),
            2);
    Path dataDir = DataOptions.in(settings.cacheDir()).locate(System.out);
    CachedTeacher teacher = CachedTeacher.prepare(settings, dataDir, System.out);
    ServiceJars jars = ServiceJars.in(root);
    Path hosts = runDir.resolve("hosts");
    Files.createDirectories(runDir);
    Files.writeString(
        hosts,
        "127.0.0.1 localhost\n127.0.0.1 " + TEACHER_HOST + "\n127.0.0.2 " + TEACHER_HOST + "\n",
        StandardCharsets.UTF_8);

    int grpcPort = ServiceProcess.freePort();
    Map<String, String> teacherSettings =
        Map.of(
            "distillery.teacher.model-dir",
            teacher.dir().toString(),
            "distillery.teacher.engine",
            "OnnxRuntime");
    long start = System.nanoTime();
    try (KafkaProcess kafka =
            KafkaProcess.start(
                jars.localKafka(),
                runDir.resolve("kafka"),
                2,
                logs.resolve("kafka.log"),
                DemoStack.START_TIMEOUT);
        ServiceProcess first =
            ServiceProcess.start(
                jars.teacher(),
                "127.0.0.1",
                grpcPort,
                teacherSettings,
                List.of("-Xmx1g"),
                logs.resolve("teacher-1.log"),
                DemoStack.START_TIMEOUT);
        ServiceProcess second =
            ServiceProcess.start(
                jars.teacher(),
                "127.0.0.2",
                grpcPort,
                teacherSettings,
                List.of("-Xmx1g"),
                logs.resolve("teacher-2.log"),
                DemoStack.START_TIMEOUT);
        ServiceProcess labeler =
            ServiceProcess.start(
                jars.labeler(),
                Map.of(
                    "kafka.bootstrap.servers",
                    kafka.bootstrapServers(),
                    "quarkus.grpc.clients.teacher.host",
                    TEACHER_HOST,
                    "quarkus.grpc.clients.teacher.port",
                    Integer.toString(grpcPort),
                    // Small requests, few at once: many of them, so the kill falls in the middle
                    // of the run.
                    "distillery.labeler.batch.max-size",
                    "32",
                    "distillery.labeler.batch.max-in-flight",
                    "2"),
                List.of("-Xmx1g", "-Djdk.net.hosts.file=" + hosts),
                logs.resolve("labeler.log"),
                DemoStack.START_TIMEOUT)) {
      double startedIn = seconds(start);
      LabeledImages images = FashionMnist.train(dataDir).head(PROMPTS);
      long produceStart = System.nanoTime();
      try (PromptProducer producer = new PromptProducer(kafka.bootstrapServers())) {
        producer.produceImages(
            DistilleryTopics.PROMPTS, images, "fashion-mnist/train", "replica-", done -> {});
      }

      Set<String> labelled = new HashSet<>();
      Set<String> deadLettered = new HashSet<>();
      double firstAtKill = -1;
      double secondAtKill = -1;
      int labelledAtKill = -1;
      double killedAfter = -1;
      long deadline = System.nanoTime() + LABELLING_TIMEOUT.toNanos();
      try (KafkaConsumer<String, byte[]> labels = consumer(kafka, DistilleryTopics.SOFT_LABELS);
          KafkaConsumer<String, byte[]> letters = consumer(kafka, DistilleryTopics.PROMPTS_DLQ)) {
        while (labelled.size() < PROMPTS && System.nanoTime() < deadline) {
          labels.poll(Duration.ofMillis(200)).forEach(r -> labelled.add(r.key()));
          letters.poll(Duration.ofMillis(10)).forEach(r -> deadLettered.add(r.key()));
          if (labelledAtKill < 0 && labelled.size() >= PROMPTS / 4) {
            double a = samples(first);
            double b = samples(second);
            if (a > 0 && b > 0) {
              firstAtKill = a;
              secondAtKill = b;
              labelledAtKill = labelled.size();
              killedAfter = seconds(produceStart);
              second.handle().destroyForcibly();
              assertTrue(second.handle().onExit().get(30, TimeUnit.SECONDS) != null);
            }
          }
        }
        long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < settle) {
          letters.poll(Duration.ofMillis(200)).forEach(r -> deadLettered.add(r.key()));
          labels.poll(Duration.ofMillis(10)).forEach(r -> labelled.add(r.key()));
        }
      }
      double labellingTime = seconds(produceStart);
      double firstFinal = samples(first);
      String labelerMetrics = labeler.metrics();
      String figures =
          String.format(
              "two teacher replicas, %d prompts, labeler requests of 32:%n"
                  + "  services started in %.1f s; labelling took %.1f s%n"
                  + "  at the kill (%.1f s, %d prompts labelled): replica 1 %.0f samples,"
                  + " replica 2 %.0f samples (read just before the kill; it answered a few"
                  + " more before it died)%n"
                  + "  after: replica 1 %.0f samples; replica 2 killed (kill -9)%n"
                  + "  labelled %d of %d, dead-lettered %d%n"
                  + "  labeler teacher requests by outcome: %s%n",
              PROMPTS,
              startedIn,
              labellingTime,
              killedAfter,
              labelledAtKill,
              firstAtKill,
              secondAtKill,
              firstFinal,
              labelled.size(),
              PROMPTS,
              deadLettered.size(),
              requestOutcomes(labelerMetrics));
      System.out.print(figures);
      Files.writeString(runDir.resolve("figures.txt"), figures, StandardCharsets.UTF_8);

      assertTrue(labelledAtKill > 0, "both replicas received work before the kill:\n" + figures);
      assertTrue(firstAtKill > 0 && secondAtKill > 0, figures);
      assertTrue(labelledAtKill < PROMPTS, "killed while prompts were being labelled:\n" + figures);
      assertFalse(second.isAlive(), "replica 2 was killed");
      assertEquals(PROMPTS, labelled.size(), "every prompt labelled:\n" + figures);
      for (int i = 0; i < PROMPTS; i++) {
        assertTrue(labelled.contains("replica-" + i), "replica-" + i + " labelled");
      }
      assertEquals(Set.of(), deadLettered, "nothing dead-lettered");
      assertTrue(
          firstFinal > firstAtKill,
          "the surviving replica took over the remaining work:\n" + figures);
    }
  }

  private static double samples(ServiceProcess teacher) throws Exception {
    double value = teacher.metric("distillery_teacher_samples_total");
    return Double.isNaN(value) ? 0 : value;
  }

  /** The labeler's Label calls per outcome, from its request-latency histogram. */
  private static String requestOutcomes(String metrics) {
    List<String> outcomes = new ArrayList<>();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("distillery_labeler_teacher_request_seconds_count{")) {
        outcomes.add(
            line.substring(line.indexOf("outcome=\"") + 9, line.indexOf("\"}"))
                + "="
                + line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return String.join(", ", outcomes);
  }

  private static KafkaConsumer<String, byte[]> consumer(KafkaProcess kafka, String topic) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "replicas-it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
