package io.distillery.evaluator.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.evaluator.promotion.JobState;
import io.distillery.evaluator.support.EvaluationsTopic;
import io.distillery.evaluator.support.EvaluatorTestResource;
import io.distillery.evaluator.support.Students;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.OffsetRange;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The licence gate on promotion, model cards and the audit trail, end to end on a real broker: a
 * checkpoint that learned from a teacher whose licence forbids distillation is promoted only when
 * the soft labels its manifest cites (read back from {@code distill.soft-labels}) carry the
 * operator's override; each decision and each promotion arrives on {@code distill.audit}; a
 * promoted checkpoint gets its model card.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(EvaluatorTestResource.class)
class GovernanceFlowTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final TeacherCard CLOSED =
      TeacherCard.newBuilder()
          .setModelId("closed-teacher")
          .setVersion("3")
          .setArtifactSha256("c1".repeat(32))
          .setLicenseSpdx("LicenseRef-NoDistillation")
          .setDistillation(DistillationPolicy.DISTILLATION_FORBIDDEN)
          .setOutputSize(10)
          .build();

  @TempDir static Path checkpoints;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  FakeTeacher teacher;

  @Test
  void aForbiddenTeacherWithoutOverrideBlocksPromotionAndWithOverrideGetsAModelCard()
      throws Exception {
    List<OffsetRange> overridden = labels("job-overridden", true, 4);
    List<OffsetRange> plain = labels("job-forbidden", false, 3);

    Students.Trained allowed =
        Students.train(checkpoints, "job-overridden", 20, 20, List.of(CLOSED), overridden);
    send(allowed);
    EvaluationEvent promoted = single("job-overridden");
    assertEquals(EvaluationStatus.EVALUATION_OK, promoted.getStatus(), promoted.toString());
    assertTrue(promoted.getPromoted(), promoted.toString());
    assertEquals("", promoted.getPromotionRefusal());

    Path dir = allowed.checkpoint().dir();
    Path json = dir.resolveSibling(dir.getFileName() + ".model-card.json");
    Path md = dir.resolveSibling(dir.getFileName() + ".model-card.md");
    assertTrue(Files.isRegularFile(json) && Files.isRegularFile(md), "model cards beside " + dir);
    JsonNode card = new ObjectMapper().readTree(json.toFile());
    assertEquals("job-overridden", card.get("job_id").asText());
    assertEquals(allowed.checkpoint().manifestSha256(), card.get("manifest_sha256").asText());
    assertFalse(card.get("intended_use").asText().isBlank());
    JsonNode closed = card.get("teachers").get(0);
    assertEquals("closed-teacher", closed.get("model_id").asText());
    assertEquals("LicenseRef-NoDistillation", closed.get("license_spdx").asText());
    assertEquals("forbidden", closed.get("distillation").asText());
    assertEquals(4, closed.get("override_labels_read").asLong());
    assertEquals(
        promoted.getMetrics().getAgreement(),
        card.get("metrics").get("agreement_with_teacher").asDouble(),
        1e-12);
    assertTrue(card.get("training_data").get("lineage_verified").asBoolean(), card.toString());
    assertEquals(
        "closed/train", card.get("training_data").get("datasets").get(0).get("dataset").asText());
    assertTrue(card.get("known_limits").toString().contains("recorded operator override"));
    String markdown = Files.readString(md);
    assertTrue(markdown.contains("## Intended use"), markdown);
    assertTrue(markdown.contains("| closed-teacher | 3 |"), markdown);
    assertTrue(markdown.contains("## Metrics against the teacher"), markdown);
    assertTrue(markdown.contains("## Known limits"), markdown);

    Students.Trained forbidden =
        Students.train(checkpoints, "job-forbidden", 20, 20, List.of(CLOSED), plain);
    send(forbidden);
    EvaluationEvent refused = single("job-forbidden");
    assertEquals(EvaluationStatus.EVALUATION_OK, refused.getStatus(), "scored, not failed");
    assertFalse(refused.getPromoted(), "first checkpoint of its job, yet not promoted");
    assertTrue(
        refused
            .getPromotionRefusal()
            .contains(
                "closed-teacher 3 (sha256 "
                    + CLOSED.getArtifactSha256()
                    + ") is licensed LicenseRef-NoDistillation (DISTILLATION_FORBIDDEN) and no"
                    + " override is recorded"),
        refused.getPromotionRefusal());
    assertTrue(new JobState(forbidden.checkpoint().dir().getParent()).promoted().isEmpty());
    Path forbiddenDir = forbidden.checkpoint().dir();
    assertFalse(
        Files.exists(forbiddenDir.resolveSibling(forbiddenDir.getFileName() + ".model-card.md")));

    List<AuditEvent> audit = audit(4);
    AuditEvent gateAllowed = find(audit, "job-overridden", "licence-gate");
    assertEquals(AuditDecision.AUDIT_DECISION_ALLOWED, gateAllowed.getDecision());
    assertEquals("override", gateAllowed.getReason());
    assertEquals("closed-teacher", gateAllowed.getTeacherModelId());
    assertEquals(CLOSED.getArtifactSha256(), gateAllowed.getTeacherSha256());
    assertEquals("4", gateAllowed.getFactsOrThrow("override_labels"));
    AuditEvent promotion = find(audit, "job-overridden", "promotion");
    assertEquals(AuditDecision.AUDIT_DECISION_ALLOWED, promotion.getDecision());
    assertEquals(20, promotion.getStep());
    assertEquals(md.toString(), promotion.getFactsOrThrow("model_card"));
    AuditEvent gateRefused = find(audit, "job-forbidden", "licence-gate");
    assertEquals(AuditDecision.AUDIT_DECISION_REFUSED, gateRefused.getDecision());
    assertEquals("no-override", gateRefused.getReason());
    assertEquals("LicenseRef-NoDistillation", gateRefused.getLicenseSpdx());
    assertEquals("0", gateRefused.getFactsOrThrow("override_labels"));
    assertEquals("3", gateRefused.getFactsOrThrow("labels_read"));
    AuditEvent promotionRefused = find(audit, "job-forbidden", "promotion");
    assertEquals(AuditDecision.AUDIT_DECISION_REFUSED, promotionRefused.getDecision());
    assertEquals(refused.getPromotionRefusal(), promotionRefused.getMessage());
  }

  /** Writes soft labels of the closed teacher; returns the range they occupy. */
  private List<OffsetRange> labels(String prefix, boolean override, int count) throws Exception {
    List<OffsetRange> ranges = new ArrayList<>();
    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      for (int i = 0; i < count; i++) {
        SoftLabelEvent label =
            SoftLabelEvent.newBuilder()
                .setPromptId(prefix + "-" + i)
                .setDataset("closed/train")
                .setTeacher(CLOSED)
                .setTopK(1)
                .setTemperature(1f)
                .setPositions(1)
                .setForbiddenTeacherOverride(override)
                .build();
        RecordMetadata at =
            writer.send(DistilleryTopics.SOFT_LABELS, label.getPromptId(), label.toByteArray());
        ranges.add(
            OffsetRange.newBuilder()
                .setTopic(at.topic())
                .setPartition(at.partition())
                .setFromOffset(at.offset())
                .setToOffset(at.offset())
                .build());
      }
    }
    return ranges;
  }

  private void send(Students.Trained student) throws Exception {
    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(
          DistilleryTopics.CHECKPOINTS, student.event().getJobId(), student.event().toByteArray());
    }
  }

  private EvaluationEvent single(String job) {
    List<EvaluationEvent> evaluations = EvaluationsTopic.read(bootstrapServers, job, 1, WAIT);
    assertEquals(1, evaluations.size(), "evaluations of " + job);
    return evaluations.get(0);
  }

  private static AuditEvent find(List<AuditEvent> events, String job, String kind) {
    return events.stream()
        .filter(e -> e.getJobId().equals(job) && e.getKind().equals(kind))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + kind + " audit event of " + job + ": " + events));
  }

  private List<AuditEvent> audit(int expected) throws Exception {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-test-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<AuditEvent> events = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of("distill.audit"));
      while (events.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          events.add(AuditEvent.parseFrom(r.value()));
        }
      }
    }
    return events;
  }
}
