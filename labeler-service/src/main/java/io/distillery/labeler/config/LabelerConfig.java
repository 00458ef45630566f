package io.distillery.labeler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the labeler, under {@code distillery.labeler}. */
@ConfigMapping(prefix = "distillery.labeler")
public interface LabelerConfig {

  /** Dataset name assumed for prompts that do not name one. */
  @WithDefault("unnamed")
  String defaultDataset();
}
