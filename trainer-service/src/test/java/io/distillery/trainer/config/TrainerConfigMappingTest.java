package io.distillery.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.loss.Divergence;
import io.distillery.trainer.job.OptimizerKind;
import io.distillery.trainer.job.Source;
import io.distillery.trainer.training.LearningRateSchedule;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kebab-case values users write map to the enums, and a wrong one names its key. */
class TrainerConfigMappingTest {

  private static SmallRyeConfig configWith(Map<String, String> values) {
    return new SmallRyeConfigBuilder()
        .withMapping(TrainerConfig.class)
        // Quarkus registers this converter for "10s"-style durations at run time.
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new io.smallrye.config.PropertiesConfigSource(values, "test", 500))
        .build();
  }

  @Test
  void kebabCaseValuesMapToTheEnums() {
    TrainerConfig config =
        configWith(
                Map.of(
                    "distillery.trainer.source", "online",
                    "distillery.trainer.lr-schedule", "cosine",
                    "distillery.trainer.optimizer", "sgd",
                    "distillery.trainer.loss.divergence", "reverse-kl"))
            .getConfigMapping(TrainerConfig.class);

    assertEquals(Source.ONLINE, config.source());
    assertEquals(LearningRateSchedule.Kind.COSINE, config.lrSchedule());
    assertEquals(OptimizerKind.SGD, config.optimizer());
    assertEquals(Divergence.REVERSE_KL, config.loss().divergence());
  }

  @Test
  void defaultsAreOfflineConstantAdamForwardKl() {
    TrainerConfig config = configWith(Map.of()).getConfigMapping(TrainerConfig.class);

    assertEquals(Source.OFFLINE, config.source());
    assertEquals(LearningRateSchedule.Kind.CONSTANT, config.lrSchedule());
    assertEquals(OptimizerKind.ADAM, config.optimizer());
    assertEquals(Divergence.FORWARD_KL, config.loss().divergence());
  }

  @Test
  void anUnknownValueNamesItsKey() {
    RuntimeException error =
        assertThrows(
            RuntimeException.class,
            () -> configWith(Map.of("distillery.trainer.optimizer", "lion")));

    assertTrue(
        String.valueOf(error.getMessage()).contains("distillery.trainer.optimizer"),
        error.getMessage());
  }
}
