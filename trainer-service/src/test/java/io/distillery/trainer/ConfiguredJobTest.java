package io.distillery.trainer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.trainer.support.KafkaLabels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The job configured in {@code application.properties} starts with the service; when its student
 * does not fit the teacher of the log, the service stops it and reports why on /q/health/ready.
 */
@QuarkusTest
@TestProfile(ConfiguredJobTest.MisfitStudent.class)
@QuarkusTestResource(
    value = LocalKafkaTestResource.class,
    initArgs = @ResourceArg(name = LocalKafkaTestResource.PARTITIONS_ARG, value = "2"))
class ConfiguredJobTest {

  /** The configured job: a 7-class student over the log of a 10-class teacher. */
  public static class MisfitStudent implements QuarkusTestProfile {
    private static java.nio.file.Path checkpointDir() throws IOException {
      java.nio.file.Path dir = Files.createTempDirectory("configured-job");
      io.distillery.trainer.support.TempDirs.deleteOnExit(dir);
      return dir;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        return Map.of(
            "distillery.trainer.enabled", "true",
            "distillery.trainer.job-id", "configured-misfit",
            "distillery.trainer.student.output-size", "7",
            "distillery.trainer.checkpoint.dir", checkpointDir().toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Test
  void aConfiguredJobWhoseStudentDoesNotFitMakesTheServiceNotReadyNamingBothSides()
      throws Exception {
    KafkaLabels.ensureProduced(bootstrapServers);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(503)
                    .body("status", is("DOWN"))
                    .body(
                        "checks.find { it.name == 'trainer job' }.data.message",
                        containsString("teacher fixture-mlp test-1 has output size 10"))
                    .body(
                        "checks.find { it.name == 'trainer job' }.data.message",
                        containsString("student mlp-784-128-7 has output size 7")));
    given().get("/q/health/live").then().statusCode(200);
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("distillery_trainer_job_failed{job=\"configured-misfit\"} 1.0"));
  }
}
