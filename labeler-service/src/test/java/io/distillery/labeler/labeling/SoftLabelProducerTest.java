package io.distillery.labeler.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distillery.proto.v1.SoftLabelEvent;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The soft-label producer's settings, and a chunk that cannot be written failing as a whole. */
class SoftLabelProducerTest {

  @Test
  void producerSettingsGoOverTheKafkaOnesAndTheSerializersAreTheLabelers() {
    Map<String, Object> settings =
        SoftLabelProducer.settings(
            Map.of("linger.ms", "10", "acks", "all", "value.serializer", "x.Wrong"),
            Map.of("bootstrap.servers", "broker:9093", "linger.ms", "0", "sasl.mechanism", "S"));
    assertEquals("broker:9093", settings.get("bootstrap.servers"));
    assertEquals("S", settings.get("sasl.mechanism"));
    assertEquals("10", settings.get("linger.ms"));
    assertEquals("all", settings.get("acks"));
    assertEquals("labeler-soft-labels", settings.get("client.id"));
    assertEquals(StringSerializer.class.getName(), settings.get("key.serializer"));
    assertEquals(ByteArraySerializer.class.getName(), settings.get("value.serializer"));
  }

  @Test
  void aChunkTheBrokerNeverAcknowledgesFailsSoItsBatchIsNotCommitted() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SoftLabelProducer producer =
        new SoftLabelProducer(
            "distill.soft-labels",
            SoftLabelProducer.settings(
                Map.of("max.block.ms", "300", "acks", "all", "enable.idempotence", "true"),
                Map.of("bootstrap.servers", "127.0.0.1:" + closedPort)));
    try {
      List<SoftLabelEvent> chunk =
          List.of(
              SoftLabelEvent.newBuilder().setPromptId("a").build(),
              SoftLabelEvent.newBuilder().setPromptId("b").build());
      Throwable failure =
          assertThrows(
              Throwable.class,
              () -> producer.sendAll(chunk).await().atMost(Duration.ofSeconds(20)));
      assertInstanceOf(TimeoutException.class, failure, failure.toString());
    } finally {
      producer.close();
    }
  }
}
