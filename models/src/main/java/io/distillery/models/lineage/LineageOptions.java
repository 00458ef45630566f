package io.distillery.models.lineage;

import java.time.Duration;
import java.util.Properties;

/**
 * Where and how much a lineage is read.
 *
 * @param kafka Kafka client properties: at least {@code bootstrap.servers}; security settings
 *     (SASL, TLS) pass through unchanged
 * @param checkpointsTopic the checkpoint events ({@code distill.checkpoints})
 * @param evaluationsTopic the evaluation events ({@code distill.evaluations})
 * @param labelSample how many cited soft labels to read back and check; 0 or less reads every one
 * @param timeout longest time for each read of a topic
 */
public record LineageOptions(
    Properties kafka,
    String checkpointsTopic,
    String evaluationsTopic,
    int labelSample,
    Duration timeout) {

  /** Default topics, 200 sampled labels, 30 s per read. */
  public static LineageOptions defaults(String bootstrapServers) {
    Properties kafka = new Properties();
    kafka.put("bootstrap.servers", bootstrapServers);
    return new LineageOptions(
        kafka, "distill.checkpoints", "distill.evaluations", 200, Duration.ofSeconds(30));
  }

  /** The same options reading every cited label ({@code labelSample} 0) or a sample of n. */
  public LineageOptions withLabelSample(int n) {
    return new LineageOptions(kafka, checkpointsTopic, evaluationsTopic, n, timeout);
  }

  /** Whether every cited label is read. */
  public boolean readsAllLabels() {
    return labelSample <= 0;
  }
}
