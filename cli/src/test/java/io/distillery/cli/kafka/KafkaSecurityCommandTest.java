package io.distillery.cli.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.cli.DistilleryCommand;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code distillery status} against a broker that only speaks SASL_SSL with SCRAM-SHA-512. */
class KafkaSecurityCommandTest {

  private static LocalKafkaBroker kafka;

  @BeforeAll
  static void start() {
    kafka = LocalKafkaBroker.builder().scramUser("operator", "operator-secret").build().start();
    kafka.createTopics(DistilleryTopics.ALL, 1);
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void statusReadsTheClusterWithSettingsFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Properties settings = new Properties();
    settings.putAll(kafka.clientProperties("operator", "operator-secret"));
    try (Writer writer = Files.newBufferedWriter(file)) {
      settings.store(writer, "SASL_SSL client settings");
    }

    Run run =
        distillery("status", "-b", kafka.bootstrapServers(), "--kafka-config", file.toString());

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains(DistilleryTopics.SOFT_LABELS), run.out());
  }

  @Test
  void lineageReadsTheCheckpointTopicWithTheSameSettings(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Properties settings = new Properties();
    settings.putAll(kafka.clientProperties("operator", "operator-secret"));
    try (Writer writer = Files.newBufferedWriter(file)) {
      settings.store(writer, "SASL_SSL client settings");
    }

    Run run =
        distillery(
            "lineage",
            "no-such-job",
            "-b",
            kafka.bootstrapServers(),
            "--timeout",
            "20s",
            "--kafka-config",
            file.toString());

    // It got to read the (empty) topic: the answer is about the job, not the connection.
    assertTrue(
        run.err().contains("announces a checkpoint of job no-such-job"), run.err() + run.out());
  }

  @Test
  void aWrongPasswordFailsInOneLineThatSaysSo() {
    Properties settings = new Properties();
    settings.putAll(kafka.clientProperties("operator", "operator-secret"));
    String[] args = {
      "status",
      "-b",
      kafka.bootstrapServers(),
      "--timeout",
      "20s",
      "--kafka-property",
      "security.protocol=SASL_SSL",
      "--kafka-property",
      "sasl.mechanism=SCRAM-SHA-512",
      "--kafka-property",
      "sasl.jaas.config=" + LocalKafkaBroker.scramJaasConfig("operator", "wrong"),
      "--kafka-property",
      "ssl.truststore.location=" + settings.getProperty("ssl.truststore.location"),
      "--kafka-property",
      "ssl.truststore.password=" + settings.getProperty("ssl.truststore.password"),
      "--kafka-property",
      "ssl.truststore.type=PKCS12"
    };

    long started = System.nanoTime();
    Run run = distillery(args);

    assertEquals(1, run.exitCode(), run.out());
    assertTrue(run.err().contains("Authentication failed"), run.err());
    assertTrue(run.err().contains("SCRAM-SHA-512"), run.err());
    assertTrue(
        System.nanoTime() - started < 15_000_000_000L, "refused at once, not after the timeout");
  }

  @Test
  void withoutSecuritySettingsTheCommandDoesNotHang() {
    Run run = distillery("status", "-b", kafka.bootstrapServers(), "--timeout", "3s");
    assertEquals(1, run.exitCode(), run.out());
    assertTrue(run.err().contains(kafka.bootstrapServers()), run.err());
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run distillery(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new DistilleryCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
