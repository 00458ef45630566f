package io.distillery.cli.kafka;

import java.util.Map;
import java.util.Properties;

/**
 * The Kafka client settings of the running command (security protocol, SASL, TLS, ...), applied to
 * every Kafka client the CLI opens against the user's cluster. Set once per command by {@link
 * KafkaClientOptions#install()}; one command runs per process.
 */
public final class KafkaClientSettings {

  private static volatile Map<String, String> current = Map.of();

  private KafkaClientSettings() {}

  /** Replaces the settings. {@code bootstrap.servers} is left out: it comes from the command. */
  public static void set(Map<String, String> settings) {
    java.util.Map<String, String> copy = new java.util.TreeMap<>(settings);
    copy.remove("bootstrap.servers");
    current = Map.copyOf(copy);
  }

  /** Forgets the settings (a new command starts plain). */
  public static void clear() {
    current = Map.of();
  }

  /** The settings in force. */
  public static Map<String, String> current() {
    return current;
  }

  /** Puts the settings into a client's config, over the CLI's own defaults. */
  public static Properties applyTo(Properties config) {
    config.putAll(current);
    return config;
  }
}
