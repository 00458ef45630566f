package io.distillery.evaluator.support;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.v1.EvaluationEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code distill.evaluations} from the beginning, as any downstream consumer would. */
public final class EvaluationsTopic {

  private EvaluationsTopic() {}

  /**
   * The evaluations keyed {@code key}, in topic order, once at least {@code expected} arrived or
   * {@code timeout} passed.
   */
  public static List<EvaluationEvent> read(
      String bootstrapServers, String key, int expected, Duration timeout) {
    return read(bootstrapServers, r -> key.equals(r.key()), expected, timeout);
  }

  /** The evaluations matching {@code filter}; see {@link #read(String, String, int, Duration)}. */
  public static List<EvaluationEvent> read(
      String bootstrapServers,
      Predicate<ConsumerRecord<String, byte[]>> filter,
      int expected,
      Duration timeout) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "evaluator-test-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<EvaluationEvent> matched = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(DistilleryTopics.EVALUATIONS));
      while (matched.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (filter.test(record)) {
            try {
              matched.add(EvaluationEvent.parseFrom(record.value()));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new AssertionError("undecodable evaluation at offset " + record.offset(), e);
            }
          }
        }
      }
    }
    return matched;
  }
}
