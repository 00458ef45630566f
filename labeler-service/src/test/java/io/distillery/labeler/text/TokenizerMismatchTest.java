package io.distillery.labeler.text;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.TestTokenizer;
import io.distillery.labeler.support.TextProfiles;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A tokenizer that is not the teacher's keeps the labeler from consuming: readiness is down with a
 * message naming both sha256s.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
@TestProfile(TextProfiles.ForeignTokenizer.class)
class TokenizerMismatchTest {

  FakeTeacher teacher;

  @Test
  void readinessIsDownNamingBothHashes() {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(503)
                    .body("checks.find { it.name == 'distillery-teacher-gate' }.status", is("DOWN"))
                    .body(
                        "checks.find { it.name == 'distillery-teacher-gate' }.data.reason",
                        allOf(
                            containsString("tokenizer mismatch"),
                            containsString(TestTokenizer.sha256()),
                            containsString(TextProfiles.ForeignTokenizer.TEACHER_SHA))));
    assertEquals(0, teacher.labelCalls(), "the teacher is never asked to label");
  }
}
