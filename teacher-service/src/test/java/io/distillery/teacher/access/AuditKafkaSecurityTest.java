package io.distillery.teacher.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The audit producer takes the standard kafka.* security settings, and only those. */
class AuditKafkaSecurityTest {

  @Test
  void securityKeysFromPropertiesAndEnvironmentStyleNames() {
    var config =
        new SmallRyeConfigBuilder()
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "kafka.security.protocol", "SASL_SSL",
                        "kafka.sasl.mechanism", "SCRAM-SHA-512",
                        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
                        "kafka.bootstrap.servers", "broker:9093",
                        "kafka.linger.ms", "500",
                        "quarkus.http.port", "8081"),
                    "test",
                    100))
            .build();

    Properties security = AuditLog.kafkaSecurity(config);

    assertEquals(
        Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "ssl.truststore.location", "/etc/kafka/ca.p12"),
        Map.copyOf(security));
  }
}
