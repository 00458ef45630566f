package io.distillery.localkafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** String-valued records through the module's own {@link RecordWriter} and {@link TopicReader}. */
final class KafkaRecords {

  private KafkaRecords() {}

  /** Sends every entry and waits for each acknowledgement. */
  static void produce(String bootstrap, String topic, Map<String, String> records)
      throws Exception {
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      for (Map.Entry<String, String> r : records.entrySet()) {
        writer.send(topic, r.getKey(), r.getValue().getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** Reads the topic from the start until {@code expected} records arrived; key to value. */
  static Map<String, String> consume(String bootstrap, String topic, int expected) {
    return TopicReader.read(bootstrap, topic, expected, Duration.ofSeconds(20)).stream()
        .collect(
            Collectors.toMap(
                r -> r.key(), r -> new String(r.value(), StandardCharsets.UTF_8), (a, b) -> b));
  }

  /** Same as {@link #consume} but keeps every record, for counting duplicates. */
  static List<String> values(String bootstrap, String topic, int expected) {
    return TopicReader.read(bootstrap, topic, expected, Duration.ofSeconds(20)).stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .toList();
  }
}
