package io.distillery.labeler.security;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaSaslSslTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A labeler presenting a wrong SCRAM password: readiness goes DOWN within seconds and says the
 * broker refused the credentials, and no prompt reaches the teacher.
 */
@QuarkusTest
@QuarkusTestResource(
    value = LocalKafkaSaslSslTestResource.class,
    initArgs = @ResourceArg(name = LocalKafkaSaslSslTestResource.PASSWORD_ARG, value = "wrong"),
    restrictToAnnotatedClass = true)
@QuarkusTestResource(LabelerTeacherResource.class)
class BadKafkaCredentialsTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  FakeTeacher teacher;

  @Test
  void readinessIsDownAndSaysAuthenticationFailed() throws Exception {
    String id = Prompts.runId("bad-credentials") + "0";
    try (RecordWriter writer =
        new RecordWriter(bootstrap, LocalKafkaSaslSslTestResource.clientProperties())) {
      writer.send(DistilleryTopics.PROMPTS, id, Prompts.image(id, 1).toByteArray());
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(503)
                    .body(
                        "checks.find { it.name == 'Kafka connection health check' }.status",
                        is("DOWN"))
                    .body(
                        "checks.find { it.name == 'Kafka connection health check' }.data.reason",
                        allOf(
                            containsString("SaslAuthenticationException"),
                            containsString("invalid credentials"),
                            containsString("SCRAM-SHA-512"))));
    assertEquals(0, teacher.labelCalls(), "a prompt the labeler cannot read is never labelled");
  }
}
