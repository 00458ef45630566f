package io.distillery.models.lineage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads records without a consumer group (nothing is committed): a whole topic up to its current
 * end, or chosen offsets of one partition.
 */
final class TopicRecords implements AutoCloseable {

  /** A record read. */
  record Read(String topic, int partition, long offset, String key, byte[] value) {
    String location() {
      return topic + "-" + partition + "@" + offset;
    }
  }

  /** What reading chosen offsets found. */
  record Offsets(List<Read> found, NavigableSet<Long> deleted, NavigableSet<Long> beyondEnd) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final Duration timeout;

  TopicRecords(Properties kafka, Duration timeout) {
    Properties config = new Properties();
    config.putAll(kafka);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(config);
    this.timeout = timeout;
  }

  /** Every record of a topic whose key passes {@code keys}, up to the end seen at the start. */
  List<Read> all(String topic, Predicate<String> keys) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new LineageException("topic " + topic + " does not exist");
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    List<Read> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!atEnd(partitions, end)) {
      if (System.nanoTime() > deadline) {
        throw new LineageException("reading " + topic + " did not reach its end within " + timeout);
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.value() != null && keys.test(r.key())) {
          out.add(new Read(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
        }
      }
    }
    return out;
  }

  /**
   * Reads the given offsets of one partition. Offsets before the log's start were deleted by
   * retention; offsets at or after its end were never written (or the topic was recreated).
   */
  Offsets offsets(String topic, int partition, Collection<Long> wanted) {
    TopicPartition tp = new TopicPartition(topic, partition);
    consumer.assign(List.of(tp));
    long start = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
    long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
    TreeSet<Long> pending = new TreeSet<>(wanted);
    TreeSet<Long> deleted = new TreeSet<>(pending.headSet(start, false));
    TreeSet<Long> beyond = new TreeSet<>(pending.tailSet(end, true));
    pending.removeAll(deleted);
    pending.removeAll(beyond);
    List<Read> found = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Long, Boolean> seen = new HashMap<>();
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new LineageException(
            "reading "
                + pending.size()
                + " cited offsets of "
                + tp
                + " did not finish within "
                + timeout);
      }
      long next = pending.first();
      consumer.seek(tp, next);
      List<ConsumerRecord<String, byte[]>> batch =
          consumer.poll(Duration.ofMillis(500)).records(tp);
      if (batch.isEmpty()) {
        continue;
      }
      if (batch.get(0).offset() > next) {
        // Compacted away or a transaction marker: the record is not there to read.
        deleted.addAll(pending.headSet(batch.get(0).offset(), false));
        pending.removeAll(deleted);
      }
      for (ConsumerRecord<String, byte[]> r : batch) {
        if (pending.remove(r.offset()) && seen.put(r.offset(), Boolean.TRUE) == null) {
          found.add(new Read(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
        }
      }
    }
    return new Offsets(found, deleted, beyond);
  }

  private boolean atEnd(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
    for (TopicPartition p : partitions) {
      if (consumer.position(p, timeout) < end.get(p)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
