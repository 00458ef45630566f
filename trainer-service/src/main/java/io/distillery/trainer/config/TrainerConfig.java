package io.distillery.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of one training job, under {@code distillery.trainer}. */
@ConfigMapping(prefix = "distillery.trainer")
public interface TrainerConfig {

  /** Id of the job; names its consumer group ({@code distillery-trainer-<job>}) and checkpoints. */
  @WithDefault("default")
  String job();
}
