package io.distillery.cli.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE} and {@code --kafka-property KEY=VALUE}: the standard Kafka client
 * settings (e.g. {@code security.protocol=SASL_SSL}, {@code sasl.mechanism=SCRAM-SHA-512}, {@code
 * sasl.jaas.config}, {@code ssl.truststore.location}) for commands that talk to the user's cluster.
 */
public final class KafkaClientOptions {

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Kafka client settings as a .properties file (security.protocol, sasl.mechanism,"
              + " sasl.jaas.config, ssl.truststore.location, ...), applied to every Kafka client"
              + " of the command.")
  Path configFile;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description = "One Kafka client setting; repeatable; wins over --kafka-config.")
  Map<String, String> properties = new LinkedHashMap<>();

  /**
   * Reads the file and options and makes them the settings of every Kafka client of this command.
   *
   * @throws IllegalArgumentException if the file cannot be read
   */
  public void install() {
    Map<String, String> settings = new LinkedHashMap<>();
    if (configFile != null) {
      Properties file = new Properties();
      try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
        file.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read --kafka-config " + configFile + ": " + e.getMessage(), e);
      }
      file.stringPropertyNames().forEach(key -> settings.put(key, file.getProperty(key)));
    }
    settings.putAll(properties);
    KafkaClientSettings.set(settings);
  }
}
