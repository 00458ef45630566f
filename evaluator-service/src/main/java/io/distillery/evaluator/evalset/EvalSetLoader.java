package io.distillery.evaluator.evalset;

import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Reads the configured held-out set once per process. */
@ApplicationScoped
public class EvalSetLoader {

  /** Id of the full Fashion-MNIST test set. */
  public static final String T10K = "fashion-mnist/t10k";

  private static final Logger LOG = Logger.getLogger(EvalSetLoader.class);

  /**
   * The eval set. Loaded at start-up: without its data the evaluator can do nothing, so a missing
   * directory stops the process with a message naming it.
   */
  @Produces
  @Singleton
  @Startup
  EvalSet evalSet(EvaluatorConfig config) {
    int limit = config.evalSet().limit();
    if (limit < 0) {
      throw new IllegalArgumentException(
          "distillery.evaluator.eval-set.limit must be >= 0 (0 = all images), got " + limit);
    }
    try {
      Path dir =
          FashionMnistLocator.locate(config.evalSet().dataDir().map(Path::toString).orElse(null));
      EvalSet set = limited(FashionMnist.test(dir), limit);
      LOG.infof(
          "eval set %s: %d images from %s (sha256 %s)", set.id(), set.size(), dir, set.digest());
      return set;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the eval set (distillery.evaluator.eval-set.data-dir): " + e.getMessage(),
          e);
    }
  }

  /** The first {@code limit} images of t10k ({@code 0} or more than there are: all of them). */
  static EvalSet limited(LabeledImages t10k, int limit) {
    if (limit == 0 || limit >= t10k.size()) {
      return EvalSet.of(T10K, t10k, FashionMnist.NUM_CLASSES);
    }
    return EvalSet.of(T10K + "[0:" + limit + "]", t10k.head(limit), FashionMnist.NUM_CLASSES);
  }
}
