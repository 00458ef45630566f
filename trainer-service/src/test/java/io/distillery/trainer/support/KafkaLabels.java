package io.distillery.trainer.support;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.v1.SoftLabelEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The soft-label log the Kafka tests share: {@value #USABLE} real Fashion-MNIST soft labels plus
 * three bad records (undecodable bytes, a 5-class teacher, a truncated distribution), written once
 * per JVM to {@code distill.soft-labels} with keys spread over its partitions.
 */
public final class KafkaLabels {

  /** Usable labels on the topic. */
  public static final int USABLE = 1200;

  /**
   * Records an online job trains on: online mode uses only a record's input and ground truth, so
   * the record from a 5-class teacher (bad for offline jobs) is a valid prompt for it.
   */
  public static final int USABLE_ONLINE = USABLE + 1;

  /** Bad records on the topic, one of each kind. */
  public static final int BAD = 3;

  private static final String PRODUCED = "distillery.test.labels-produced";

  private KafkaLabels() {}

  /** Writes the log if this JVM has not yet; returns the end offsets per partition. */
  public static synchronized Map<Integer, Long> ensureProduced(String bootstrapServers)
      throws Exception {
    if (System.getProperty(PRODUCED) == null) {
      List<SoftLabelEvent> events = FashionLabels.events(0, USABLE);
      Properties config = new Properties();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
        Future<RecordMetadata> last = null;
        for (int i = 0; i < events.size(); i++) {
          SoftLabelEvent event = events.get(i);
          last = send(producer, event.getPromptId(), event.toByteArray());
          if (i == 300) {
            send(producer, "bad-bytes", new byte[] {0x0F});
          } else if (i == 700) {
            SoftLabelEvent five = FashionLabels.wrongOutputSize(event);
            send(producer, five.getPromptId(), five.toByteArray());
          } else if (i == 1100) {
            SoftLabelEvent cut = FashionLabels.truncatedDistribution(event);
            send(producer, cut.getPromptId(), cut.toByteArray());
          }
        }
        producer.flush();
        last.get();
      }
      System.setProperty(PRODUCED, "true");
    }
    return endOffsets(bootstrapServers);
  }

  private static Future<RecordMetadata> send(
      KafkaProducer<String, byte[]> producer, String key, byte[] value) {
    return producer.send(new ProducerRecord<>(DistilleryTopics.SOFT_LABELS, key, value));
  }

  /** The end offsets of the soft-label topic. */
  public static Map<Integer, Long> endOffsets(String bootstrapServers) throws Exception {
    try (Admin admin = admin(bootstrapServers)) {
      int partitions =
          admin
              .describeTopics(List.of(DistilleryTopics.SOFT_LABELS))
              .allTopicNames()
              .get()
              .get(DistilleryTopics.SOFT_LABELS)
              .partitions()
              .size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(DistilleryTopics.SOFT_LABELS, p), OffsetSpec.latest());
      }
      Map<Integer, Long> out = new HashMap<>();
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
          admin.listOffsets(request).all().get().entrySet()) {
        out.put(e.getKey().partition(), e.getValue().offset());
      }
      return out;
    }
  }

  /** The offsets a consumer group committed, per partition of the soft-label topic. */
  public static Map<Integer, Long> committed(String bootstrapServers, String group)
      throws Exception {
    try (Admin admin = admin(bootstrapServers)) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<Integer, Long> out = new HashMap<>();
      offsets.forEach(
          (tp, offset) -> {
            if (tp.topic().equals(DistilleryTopics.SOFT_LABELS) && offset != null) {
              out.put(tp.partition(), offset.offset());
            }
          });
      return out;
    }
  }

  private static Admin admin(String bootstrapServers) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return Admin.create(config);
  }
}
