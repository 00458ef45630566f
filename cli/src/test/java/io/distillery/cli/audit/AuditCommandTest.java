package io.distillery.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.localkafka.LocalKafkaBroker;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code distillery audit} against a real broker: filters by client, decision and time. */
class AuditCommandTest {

  private static final String TOPIC = "distill.audit";
  private static final long NOW = Instant.now().toEpochMilli();
  private static LocalKafkaBroker kafka;

  @BeforeAll
  static void writeAnAuditLog() throws Exception {
    kafka = LocalKafkaBroker.builder().build().start();
    kafka.createTopics(List.of(TOPIC), 2);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      send(producer, event("labeler", NOW - 7_200_000, true, "OK", "allowed", 64));
      send(producer, event("labeler", NOW - 60_000, true, "OK", "allowed", 64));
      send(producer, event("student", NOW - 30_000, false, "PERMISSION_DENIED", "top-k", 1));
      send(
          producer,
          event("anonymous", NOW - 10_000, false, "UNAUTHENTICATED", "no-credentials", 1));
      send(
          producer,
          governance("licence-gate", "job-a", NOW - 5_000, false, "no-override")
              .setTeacherModelId("closed-teacher")
              .setTeacherSha256("c1".repeat(32))
              .setLicenseSpdx("LicenseRef-NoDistillation")
              .build());
      send(
          producer,
          governance("promotion", "job-b", NOW - 4_000, true, "best-score")
              .setTeacherModelId("fashion-cnn")
              .setTeacherSha256("ab".repeat(32))
              .putFacts("accuracy", "0.9")
              .build());
      producer
          .send(
              new ProducerRecord<>(TOPIC, "junk", "not protobuf".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  private static AuditEvent event(
      String client, long time, boolean allowed, String status, String reason, int samples) {
    return AuditEvent.newBuilder()
        .setTimeMs(time)
        .setService("teacher-service")
        .setClient(client)
        .setRpc("label")
        .setSamples(samples)
        .setTopK(allowed ? 5 : 50)
        .setDecision(
            allowed ? AuditDecision.AUDIT_DECISION_ALLOWED : AuditDecision.AUDIT_DECISION_REFUSED)
        .setStatus(status)
        .setReason(reason)
        .setMessage(allowed ? "" : "refused: " + reason)
        .build();
  }

  private static AuditEvent.Builder governance(
      String kind, String job, long time, boolean allowed, String reason) {
    return AuditEvent.newBuilder()
        .setTimeMs(time)
        .setService("evaluator-service")
        .setClient("evaluator-service")
        .setKind(kind)
        .setJobId(job)
        .setStep(40)
        .setDecision(
            allowed ? AuditDecision.AUDIT_DECISION_ALLOWED : AuditDecision.AUDIT_DECISION_REFUSED)
        .setStatus(allowed ? "OK" : "REFUSED")
        .setReason(reason);
  }

  private static void send(KafkaProducer<String, byte[]> producer, AuditEvent e) throws Exception {
    producer.send(new ProducerRecord<>(TOPIC, e.getClient(), e.toByteArray())).get();
  }

  private static String run(String... args) throws Exception {
    AuditCommand command = new AuditCommand();
    new picocli.CommandLine(command).parseArgs(args);
    command.bootstrapServers = kafka.bootstrapServers();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, command.run(new PrintStream(out, true, StandardCharsets.UTF_8)));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everythingInTimeOrderWithTheJunkSkipped() {
    AuditReader.Result all =
        AuditReader.read(
            kafka.bootstrapServers(), TOPIC, Optional.empty(), e -> true, Duration.ofSeconds(30));
    assertEquals(6, all.events().size());
    assertEquals(1, all.unreadable());
    assertEquals(
        List.of(
            "labeler", "labeler", "student", "anonymous", "evaluator-service", "evaluator-service"),
        all.events().stream().map(AuditEvent::getClient).toList());
  }

  @Test
  void byClientRefusalAndTime() throws Exception {
    String labeler = run("--client", "labeler", "--since", "PT1H");
    assertTrue(labeler.contains("1 event(s)"), labeler);
    assertTrue(labeler.contains("labeler") && labeler.contains("allowed"), labeler);

    String refused = run("--refused", "--kind", "teacher-access", "--json");
    List<String> lines = refused.lines().toList();
    assertEquals(2, lines.size(), refused);
    assertTrue(lines.get(0).contains("\"client\":\"student\""), refused);
    assertTrue(lines.get(0).contains("\"reason\":\"top-k\""), refused);
    assertTrue(lines.get(1).contains("\"status\":\"UNAUTHENTICATED\""), refused);
  }

  @Test
  void byKindJobAndTeacher() throws Exception {
    String gate = run("--kind", "licence-gate");
    assertTrue(gate.contains("1 event(s)"), gate);
    assertTrue(gate.contains("licence-gate") && gate.contains("job-a@40"), gate);
    assertTrue(gate.contains("no-override"), gate);

    String byJob = run("--job", "job-b", "--json");
    assertEquals(1, byJob.lines().count(), byJob);
    assertTrue(byJob.contains("\"kind\":\"promotion\""), byJob);
    assertTrue(byJob.contains("\"accuracy\":\"0.9\""), byJob);

    assertTrue(run("--teacher", "closed-teacher").contains("1 event(s)"));
    String bySha = run("--teacher", "abab", "--json");
    assertEquals(1, bySha.lines().count(), bySha);
    assertTrue(bySha.contains("job-b"), bySha);

    String accessKind = run("--kind", "teacher-access");
    assertTrue(accessKind.contains("4 event(s)"), "events without a kind are access decisions");
  }
}
