package io.distillery.localkafka;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes raw records to a topic the way Distillery's services do (acks=all, idempotent), waiting
 * for each acknowledgement. For tests and tools that put events or deliberately bad bytes on a real
 * topic.
 */
public final class RecordWriter implements AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;

  public RecordWriter(String bootstrapServers) {
    this(bootstrapServers, Map.of());
  }

  /**
   * A writer with further client settings, e.g. {@link LocalKafkaBroker#clientProperties} for a
   * SASL_SSL broker.
   */
  public RecordWriter(String bootstrapServers, Map<String, String> clientProperties) {
    Properties config = new Properties();
    config.putAll(clientProperties);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(config);
  }

  /** Sends one record and waits until the broker acknowledged it. */
  public RecordMetadata send(String topic, String key, byte[] value)
      throws InterruptedException, ExecutionException {
    return producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  /** Sends one record without waiting; {@link #close()} waits for every acknowledgement. */
  public Future<RecordMetadata> sendAsync(String topic, String key, byte[] value) {
    return producer.send(new ProducerRecord<>(topic, key, value));
  }

  @Override
  public void close() {
    producer.close();
  }
}
