package io.distillery.evaluator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the evaluator, under {@code distillery.evaluator}. */
@ConfigMapping(prefix = "distillery.evaluator")
public interface EvaluatorConfig {

  /** Held-out set the checkpoints are scored on. */
  @WithDefault("fashion-mnist/t10k")
  String evalSet();
}
