package io.distillery.localkafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the beginning in a fresh consumer group, for tests and tools that check what
 * the services wrote. Commits nothing, so it never disturbs the services' own groups.
 */
public final class TopicReader {

  private TopicReader() {}

  /**
   * Reads until {@code expected} records arrived or {@code timeout} passed, whichever comes first.
   *
   * @return the records read, possibly fewer than expected
   */
  public static List<ConsumerRecord<String, byte[]>> read(
      String bootstrapServers, String topic, int expected, Duration timeout) {
    return read(bootstrapServers, Map.of(), topic, expected, timeout);
  }

  /** Like {@link #read(String, String, int, Duration)} with further client settings (security). */
  public static List<ConsumerRecord<String, byte[]>> read(
      String bootstrapServers,
      Map<String, String> clientProperties,
      String topic,
      int expected,
      Duration timeout) {
    List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
    readEach(bootstrapServers, clientProperties, topic, expected, timeout, received::add);
    return received;
  }

  /**
   * Like {@link #read(String, Map, String, int, Duration)}, handing each record to {@code each}
   * instead of keeping them all: for reading more records than fit in memory at once.
   *
   * @return how many records were read, possibly fewer than expected
   */
  public static long readEach(
      String bootstrapServers,
      Map<String, String> clientProperties,
      String topic,
      long expected,
      Duration timeout,
      Consumer<ConsumerRecord<String, byte[]>> each) {
    Properties config = new Properties();
    config.putAll(clientProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "distillery-reader-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long received = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      while (received < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          each.accept(record);
          received++;
        }
      }
    }
    return received;
  }
}
