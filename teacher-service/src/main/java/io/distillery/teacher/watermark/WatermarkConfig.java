package io.distillery.teacher.watermark;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The teacher owner's watermark, under {@code distillery.teacher.watermark}. Which clients get
 * marked outputs is a per-client access setting ({@code
 * distillery.teacher.access.clients.<id>.watermark}).
 */
public interface WatermarkConfig {

  /**
   * The secret key file ({@code distillery teacher watermark-key --out FILE}); required when any
   * client is marked. Its content is never logged nor sent; keep it like a private key.
   */
  Optional<Path> keyFile();

  /**
   * The signal's strength ε: the target class gains up to 2ε/(1+2ε) of probability. 0.05 moved the
   * Fashion-MNIST teacher's accuracy by under 0.2 points (BENCHMARKS.md).
   */
  @WithDefault("0.05")
  double epsilon();
}
