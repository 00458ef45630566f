package io.distillery.labeler.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaSaslSslTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.localkafka.TopicReader;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Labelling against a broker that only speaks SASL_SSL (SCRAM-SHA-512): the labeler is configured
 * the standard Kafka way ({@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code
 * kafka.ssl.truststore.*}), asks the teacher over gRPC and writes the soft label over TLS.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaSaslSslTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(LabelerTeacherResource.class)
class SaslSslLabelingTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void aPromptInBecomesASoftLabelOutOverSaslSsl() throws Exception {
    // Read here, not injected: every test class is a bean of every test application.
    assertEquals(
        "SASL_SSL", ConfigProvider.getConfig().getValue("kafka.security.protocol", String.class));
    String id = Prompts.runId("sasl-ssl") + "0";
    PromptEvent prompt = Prompts.image(id, 3);
    try (RecordWriter writer =
        new RecordWriter(bootstrap, LocalKafkaSaslSslTestResource.clientProperties())) {
      writer.send(DistilleryTopics.PROMPTS, id, prompt.toByteArray());
    }

    SoftLabelEvent label = awaitLabel(id);
    assertEquals(id, label.getPromptId());
    assertEquals(prompt.getInput(), label.getInput());
    assertEquals("fake-fashion", label.getTeacher().getModelId());
    assertEquals(1, label.getPositions());
    assertTrue(label.getTopK() > 0, "a soft label carries its top-k");
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'distillery-teacher-gate' }.status", is("UP"));
  }

  private SoftLabelEvent awaitLabel(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      List<ConsumerRecord<String, byte[]>> records =
          TopicReader.read(
              bootstrap,
              LocalKafkaSaslSslTestResource.clientProperties(),
              DistilleryTopics.SOFT_LABELS,
              Integer.MAX_VALUE,
              Duration.ofSeconds(2));
      for (ConsumerRecord<String, byte[]> record : records) {
        if (id.equals(record.key())) {
          return SoftLabelEvent.parseFrom(record.value());
        }
      }
    }
    throw new AssertionError("no soft label for " + id + " on " + bootstrap + " within 30 s");
  }
}
