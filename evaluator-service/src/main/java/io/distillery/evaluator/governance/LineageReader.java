package io.distillery.evaluator.governance;

import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.models.lineage.Lineage;
import io.distillery.models.lineage.LineageOptions;
import io.distillery.models.lineage.LineageTracer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Properties;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Traces a checkpoint's lineage with the evaluator's Kafka settings (every {@code kafka.*}
 * property, so security settings apply) and a sample of its cited labels.
 */
@ApplicationScoped
public class LineageReader {

  private final EvaluatorConfig.Governance config;

  public LineageReader(EvaluatorConfig config) {
    this.config = config.governance();
  }

  /** The lineage of a checkpoint directory. */
  public Lineage trace(Path dir) {
    Config all = ConfigProvider.getConfig();
    Properties kafka = new Properties();
    for (String name : all.getPropertyNames()) {
      if (name.startsWith("kafka.")) {
        all.getOptionalValue(name, String.class)
            .ifPresent(v -> kafka.put(name.substring("kafka.".length()), v));
      }
    }
    LineageOptions options =
        new LineageOptions(
            kafka,
            config.checkpointsTopic(),
            config.evaluationsTopic(),
            config.lineageLabelSample(),
            config.lineageTimeout());
    return new LineageTracer(options).trace(dir);
  }
}
