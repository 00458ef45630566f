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
   * The signal's strength ε: the target class gains up to 2ε/(1+2ε) of probability. Shrunk per
   * sample where it would change the top-1 class, so the teacher's accuracy never moves. At 0.2, 18
   * of 20 students distilled from the Fashion-MNIST CNN teacher were detected with {@code detect
   * --reference}, at −0.24 points of student accuracy (BENCHMARKS.md); smaller is harder to detect.
   */
  @WithDefault("0.2")
  double epsilon();

  /**
   * The causal-LM signal's strength ε, in logits: at each position the key's group-1 tokens gain
   * ε·cos(2π f t + φ) and the others lose as much (capped so the teacher's top-1 token stays
   * top-1). Used when the key file is a causal-lm key ({@code distillery teacher watermark-key
   * --track lm}).
   */
  @WithDefault("0.5")
  double lmEpsilon();
}
