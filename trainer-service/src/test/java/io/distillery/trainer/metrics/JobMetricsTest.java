package io.distillery.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.trainer.training.StepResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class JobMetricsTest {

  @Test
  void lossGaugesSurviveGarbageCollection() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobMetrics metrics = new TrainerMetrics(registry).forJob("gc");
    metrics.stepped(1, 32, new StepResult(1.5f, 1.0f, 2.0f));
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertEquals(
        1.0,
        registry
            .get("distillery_trainer_loss")
            .tag("job", "gc")
            .tag("part", "hard")
            .gauge()
            .value());
    assertEquals(
        2.0,
        registry
            .get("distillery_trainer_loss")
            .tag("job", "gc")
            .tag("part", "soft")
            .gauge()
            .value());
    assertEquals(
        1.5,
        registry
            .get("distillery_trainer_loss")
            .tag("job", "gc")
            .tag("part", "total")
            .gauge()
            .value());
  }
}
