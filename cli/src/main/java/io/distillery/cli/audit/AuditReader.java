package io.distillery.cli.audit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.distillery.cli.kafka.KafkaClientSettings;
import io.distillery.proto.v1.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the audit topic from {@code since} (or its start) to its current end, without a consumer
 * group, and keeps the events that match. Records that are not an {@code AuditEvent} are counted,
 * not fatal.
 */
public final class AuditReader {

  /** What was read. */
  public record Result(List<AuditEvent> events, int unreadable) {}

  private AuditReader() {}

  public static Result read(
      String bootstrapServers,
      String topic,
      Optional<Instant> since,
      Predicate<AuditEvent> filter,
      Duration timeout) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaClientSettings.applyTo(config);
    List<AuditEvent> events = new ArrayList<>();
    int unreadable = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException(
            "topic " + topic + " does not exist on " + bootstrapServers);
      }
      List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      if (since.isPresent()) {
        Map<TopicPartition, Long> at = new HashMap<>();
        partitions.forEach(p -> at.put(p, since.get().toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, timeout);
        for (TopicPartition p : partitions) {
          OffsetAndTimestamp offset = found.get(p);
          consumer.seek(p, offset == null ? end.get(p) : offset.offset());
        }
      } else {
        consumer.seekToBeginning(partitions);
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reachedEnd(consumer, partitions, end) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          try {
            AuditEvent event = AuditEvent.parseFrom(record.value());
            if (filter.test(event)) {
              events.add(event);
            }
          } catch (InvalidProtocolBufferException | NullPointerException e) {
            unreadable++;
          }
        }
      }
    }
    events.sort(java.util.Comparator.comparingLong(AuditEvent::getTimeMs));
    return new Result(events, unreadable);
  }

  private static boolean reachedEnd(
      KafkaConsumer<?, ?> consumer,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> end) {
    for (TopicPartition p : partitions) {
      if (consumer.position(p) < end.get(p)) {
        return false;
      }
    }
    return true;
  }
}
