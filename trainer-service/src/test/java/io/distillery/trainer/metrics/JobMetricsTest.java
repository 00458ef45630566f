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

  @Test
  void aDroppedUpdateIsCountedAndKeptOutOfTheLossAverages() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobMetrics metrics = new TrainerMetrics(registry).forJob("drop");
    assertEquals(
        0.0,
        registry.get("distillery_trainer_updates_dropped").tag("job", "drop").counter().count(),
        "registered at zero");
    metrics.stepped(1, 32, new StepResult(1.5f, 1.0f, 2.0f));
    metrics.stepped(2, 32, new StepResult(Float.NaN, Float.NaN, Float.NaN, false));
    assertEquals(
        1.0,
        registry.get("distillery_trainer_updates_dropped").tag("job", "drop").counter().count());
    assertEquals(
        1.5,
        registry
            .get("distillery_trainer_loss")
            .tag("job", "drop")
            .tag("part", "total")
            .gauge()
            .value());
  }
}
