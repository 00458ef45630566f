package io.distillery.proto.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSecuritySettingsTest {

  @Test
  void keepsOnlySecurityProtocolSaslAndSsl() {
    Map<String, Object> all =
        Map.of(
            "bootstrap.servers", "broker:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.truststore.location", "/etc/kafka/ca.p12",
            "max.poll.records", "5");

    assertEquals(
        Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.truststore.location", "/etc/kafka/ca.p12"),
        KafkaSecuritySettings.of(all));
  }
}
