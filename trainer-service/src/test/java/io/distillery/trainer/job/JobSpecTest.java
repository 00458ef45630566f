package io.distillery.trainer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.nn.Networks;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Job validation names the configuration key. Plain JUnit: pure logic. */
class JobSpecTest {

  private static final JobSpec DEFAULTS = JobSpec.defaults("job-1", Path.of("/tmp/c"));

  private static String error(Runnable build) {
    return assertThrows(IllegalArgumentException.class, build::run).getMessage();
  }

  @Test
  void theDefaultStudentIsTheReferenceMlpAndRebuildsFromItsName() {
    assertEquals("mlp-784-128-10", DEFAULTS.student().name());
    assertEquals(DEFAULTS.student(), Networks.byName(DEFAULTS.student().name()));
    assertEquals("distillery-trainer-job-1", DEFAULTS.consumerGroup());
  }

  @Test
  void invalidSettingsNameTheirKeyAndValue() {
    assertTrue(error(() -> DEFAULTS.withJobId("../x")).contains("distillery.trainer.job-id"));
    assertTrue(
        error(() -> DEFAULTS.toBuilder().shuffleBuffer(10).build())
            .contains("distillery.trainer.shuffle-buffer must be >= batch-size 128, got 10"));
    assertTrue(
        error(() -> DEFAULTS.toBuilder().passes(0).build()).contains("distillery.trainer.passes"));
    assertTrue(
        error(() -> JobSpec.student(List.of(1L, 28L, 28L), List.of(0), 10, 0f))
            .contains("distillery.trainer.student.hidden-sizes"));
    assertTrue(error(() -> Source.fromName("batch")).contains("offline or online"));
    assertTrue(error(() -> OptimizerKind.fromName("rmsprop")).contains("adam or sgd"));
  }
}
