package io.distillery.cli.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.cli.DistilleryCommand;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaBroker;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** ClusterStatus and {@code distillery status} against a real broker in this JVM. */
class ClusterStatusTest {

  private static LocalKafkaBroker kafka;
  private static ClusterStatus status;

  @BeforeAll
  static void prepareACluster() throws Exception {
    kafka = LocalKafkaBroker.builder().build().start();
    kafka.createTopics(DistilleryTopics.ALL, 2);
    kafka.createTopics(List.of("custom.topic"), 3);
    String bootstrap = kafka.bootstrapServers();

    // 10 prompts on partition 0, 4 on partition 1.
    Properties producerConfig = new Properties();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig)) {
      for (int i = 0; i < 14; i++) {
        producer.send(
            new ProducerRecord<>(
                DistilleryTopics.PROMPTS, i < 10 ? 0 : 1, "p" + i, new byte[] {1}));
      }
      producer.send(new ProducerRecord<>("custom.topic", 2, "k", new byte[] {1}));
    }

    // The labeler's group has consumed 6 of partition 0 and all of partition 1: lag 4.
    commit(
        "distillery-labeler",
        Map.of(
            new TopicPartition(DistilleryTopics.PROMPTS, 0), 6L,
            new TopicPartition(DistilleryTopics.PROMPTS, 1), 4L));
    // A trainer group that committed only partition 1 of prompts: partition 0 lags from 0.
    commit("distillery-trainer-job-a", Map.of(new TopicPartition(DistilleryTopics.PROMPTS, 1), 1L));
    commit("someone-else", Map.of(new TopicPartition(DistilleryTopics.PROMPTS, 0), 1L));

    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      writer.send(
          DistilleryTopics.EVALUATIONS, "job-a", evaluation("job-a", 100, 0.81, false, 1000));
      writer.send(
          DistilleryTopics.EVALUATIONS, "job-a", evaluation("job-a", 200, 0.86, true, 2000));
      writer.send(DistilleryTopics.EVALUATIONS, "job-b", evaluation("job-b", 50, 0.70, true, 1500));
      writer.send(
          DistilleryTopics.EVALUATIONS,
          "teacher",
          EvaluationEvent.newBuilder()
              .setJobId("teacher")
              .setSubject(EvaluationSubject.SUBJECT_TEACHER)
              .setStatus(EvaluationStatus.EVALUATION_OK)
              .setMetrics(EvaluationMetrics.newBuilder().setAccuracy(0.9228).setErrors(772))
              .setEvaluatedAtMs(500)
              .build()
              .toByteArray());
      writer.send(
          DistilleryTopics.EVALUATIONS,
          "lm-kd-s1",
          EvaluationEvent.newBuilder()
              .setJobId("lm-kd-s1")
              .setStep(300)
              .setSamplesSeen(4_800)
              .setSubject(EvaluationSubject.SUBJECT_STUDENT)
              .setStatus(EvaluationStatus.EVALUATION_OK)
              .setEvalSetId("janeausten:persuasion[tokens 0:20000]")
              .setMetrics(
                  EvaluationMetrics.newBuilder()
                      .setBitsPerByte(2.3456)
                      .setTeacherBitsPerByte(1.8291)
                      .setPerplexity(31.5)
                      .setTokens(20_000)
                      .setKlTeacherStudent(0.4321)
                      .setAgreement(0.55)
                      .setAccuracy(Double.NaN))
              .setPromoted(true)
              .setEvaluatedAtMs(2500)
              .build()
              .toByteArray());
      writer.send(
          DistilleryTopics.EVALUATIONS, "junk", "{not json".getBytes(StandardCharsets.UTF_8));
    }
    status = ClusterReader.read(bootstrap, Duration.ofSeconds(20));
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static byte[] evaluation(
      String job, long step, double accuracy, boolean promoted, long at) {
    return EvaluationEvent.newBuilder()
        .setJobId(job)
        .setStep(step)
        .setSamplesSeen(step * 128)
        .setSubject(EvaluationSubject.SUBJECT_STUDENT)
        .setStatus(EvaluationStatus.EVALUATION_OK)
        .setMetrics(
            EvaluationMetrics.newBuilder()
                .setAccuracy(accuracy)
                .setErrors(Math.round((1 - accuracy) * 10_000))
                .setAgreement(accuracy + 0.05)
                .setKlTeacherStudent(0.1234))
        .setPromoted(promoted)
        .setEvaluatedAtMs(at)
        .build()
        .toByteArray();
  }

  private static void commit(String group, Map<TopicPartition, Long> offsets) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(offsets.keySet());
      Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
      offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
      consumer.commitSync(commits);
    }
  }

  @Test
  void countsRecordsPerTopic() {
    Map<String, ClusterStatus.TopicStatus> topics = status.topicsByName();
    assertEquals(
        List.of(
            DistilleryTopics.PROMPTS,
            DistilleryTopics.PROMPTS_DLQ,
            DistilleryTopics.SOFT_LABELS,
            DistilleryTopics.CHECKPOINTS,
            DistilleryTopics.EVALUATIONS,
            DistilleryTopics.AUDIT,
            "custom.topic"),
        status.topics().stream().map(ClusterStatus.TopicStatus::name).toList());
    assertEquals(
        new ClusterStatus.TopicStatus(DistilleryTopics.PROMPTS, true, 2, 14),
        topics.get(DistilleryTopics.PROMPTS));
    assertEquals(0, topics.get(DistilleryTopics.SOFT_LABELS).records());
    assertEquals(6, topics.get(DistilleryTopics.EVALUATIONS).records());
    assertEquals(
        new ClusterStatus.TopicStatus("custom.topic", true, 3, 1), topics.get("custom.topic"));
    assertEquals(1, status.brokers());
  }

  @Test
  void reportsTheLagOfDistilleryGroupsOnly() {
    assertEquals(
        List.of("distillery-labeler", "distillery-trainer-job-a"),
        status.groups().stream().map(ClusterStatus.GroupStatus::group).toList());
    ClusterStatus.GroupStatus labeler = status.group("distillery-labeler").orElseThrow();
    assertEquals(Map.of(DistilleryTopics.PROMPTS, 4L), labeler.lagByTopic());
    assertEquals(0, labeler.members());
    assertEquals("Empty", labeler.state());
    // Partition 0 never committed: lag 10; partition 1 committed at 1: lag 3.
    assertEquals(13, status.group("distillery-trainer-job-a").orElseThrow().totalLag());
  }

  @Test
  void keepsTheLatestEvaluationPerJob() {
    Map<String, EvaluationEvent> latest = status.latestEvaluations();
    assertEquals(List.of("job-a", "job-b", "lm-kd-s1", "teacher"), List.copyOf(latest.keySet()));
    assertEquals(200, latest.get("job-a").getStep());
    assertTrue(latest.get("job-a").getPromoted());
    assertEquals(0.86, latest.get("job-a").getMetrics().getAccuracy(), 1e-12);
    assertEquals(772, latest.get("teacher").getMetrics().getErrors());
    assertEquals(1, status.undecodableEvaluations());
  }

  @Test
  void rendersReadableTables() {
    String text = StatusText.render(status);
    assertTrue(text.contains("Kafka at " + kafka.bootstrapServers() + ": 1 broker"), text);
    assertTrue(text.matches("(?s).*distill\\.prompts\\s+2\\s+14\\n.*"), text);
    assertTrue(
        text.matches("(?s).*distillery-labeler\\s+Empty\\s+0\\s+distill\\.prompts\\s+4\\n.*"),
        text);
    assertTrue(
        text.matches(
            "(?s).*job-a\\s+200\\s+25,600\\s+ok\\s+86\\.00%\\s+1,400\\s+91\\.00%"
                + "\\s+0\\.1234\\s+yes\\n.*"),
        text);
    assertTrue(
        text.matches("(?s).*teacher\\s+-\\s+-\\s+ok\\s+92\\.28%\\s+772\\s+-\\s+-\\n.*"), text);
    assertTrue(text.contains("1 record(s) of distill.evaluations could not be decoded"), text);
    // The language model in its own table, with its own metrics, after the classifiers.
    assertTrue(
        text.matches(
            "(?s).*LM JOB\\s+STEP\\s+WINDOWS\\s+STATUS\\s+BITS/BYTE\\s+TEACHER\\s+PERPLEXITY"
                + "\\s+KL/TOKEN\\s+AGREEMENT\\s+PROMOTED\\n"
                + "lm-kd-s1\\s+300\\s+4,800\\s+ok\\s+2\\.3456\\s+1\\.8291\\s+31\\.50"
                + "\\s+0\\.4321\\s+55\\.00%\\s+yes\\n.*"),
        text);
    assertFalse(text.matches("(?s).*lm-kd-s1\\s+300\\s+4,800\\s+ok\\s+NaN.*"), text);
    assertFalse(text.contains("someone-else"), text);
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run distillery(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new DistilleryCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void statusCommandPrintsTablesOrJson() throws Exception {
    Run text = distillery("status", "--bootstrap-servers", kafka.bootstrapServers());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("distillery-labeler"), text.out());

    Run json = distillery("status", "-b", kafka.bootstrapServers(), "--json");
    assertEquals(0, json.exitCode(), json.err());
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertEquals(14, root.path("topics").get(0).path("records").asLong());
    assertEquals("distillery-labeler", root.path("consumerGroups").get(0).path("group").asText());
    assertEquals(4, root.path("consumerGroups").get(0).path("totalLag").asLong());
    assertEquals(200, root.path("latestEvaluations").path("job-a").path("step").asLong());
    assertEquals(
        0.86,
        root.path("latestEvaluations").path("job-a").path("metrics").path("accuracy").asDouble());
  }

  @Test
  void anUnreachableClusterIsOneLineAndExitCodeOne() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run run = distillery("status", "-b", "127.0.0.1:" + port, "--timeout", "1s");
    assertEquals(1, run.exitCode());
    assertTrue(
        run.err().startsWith("distillery status: cannot reach Kafka at 127.0.0.1:" + port),
        run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertEquals("", run.out());
  }
}
