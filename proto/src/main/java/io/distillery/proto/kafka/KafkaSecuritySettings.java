package io.distillery.proto.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * The security part of the application's {@code kafka.*} settings ({@code security.protocol},
 * {@code sasl.*}, {@code ssl.*}), so a service's own Kafka clients (the trainer's label feed, the
 * labeler's gate audit) reach a SASL_SSL cluster exactly like its SmallRye channels do, without
 * inheriting settings tuned for those channels.
 */
public final class KafkaSecuritySettings {

  private KafkaSecuritySettings() {}

  /** Keeps the security keys of a Kafka client config (keys without the {@code kafka.} prefix). */
  public static Map<String, Object> of(Map<String, Object> kafkaConfig) {
    Map<String, Object> security = new TreeMap<>();
    kafkaConfig.forEach(
        (key, value) -> {
          if (key.equals("security.protocol")
              || key.startsWith("sasl.")
              || key.startsWith("ssl.")) {
            security.put(key, value);
          }
        });
    return security;
  }
}
