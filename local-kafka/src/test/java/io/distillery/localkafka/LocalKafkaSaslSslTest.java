package io.distillery.localkafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The broker's SASL_SSL mode: SCRAM users, generated certificates, refusals that say why. */
class LocalKafkaSaslSslTest {

  private static LocalKafkaBroker kafka;

  @BeforeAll
  static void start() {
    kafka = LocalKafkaBroker.builder().scramUser("labeler", "labeler-secret").build().start();
    kafka.createTopics(List.of(DistilleryTopics.PROMPTS), 1);
  }

  @AfterAll
  static void stop() {
    Path tls = kafka.certificates().truststore().getParent();
    kafka.close();
    assertFalse(Files.exists(tls), "generated certificates must be deleted on close: " + tls);
  }

  @Test
  void authenticatedClientsProduceAndConsumeOverTls() throws Exception {
    assertEquals("SASL_SSL", kafka.securityProtocol());
    Map<String, String> client = kafka.clientProperties("labeler", "labeler-secret");
    assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
    assertTrue(Files.isRegularFile(Path.of(client.get("ssl.truststore.location"))));

    try (RecordWriter writer = new RecordWriter(kafka.bootstrapServers(), client)) {
      writer.send(DistilleryTopics.PROMPTS, "p1", "over tls".getBytes(StandardCharsets.UTF_8));
    }
    var read =
        TopicReader.read(
            kafka.bootstrapServers(), client, DistilleryTopics.PROMPTS, 1, Duration.ofSeconds(20));
    assertEquals(1, read.size());
    assertEquals("over tls", new String(read.get(0).value(), StandardCharsets.UTF_8));
  }

  @Test
  void aUserAddedLaterCanAuthenticate() throws Exception {
    kafka.addScramUser("trainer", "trainer-secret");
    assertEquals(
        kafka.bootstrapServers(),
        describeCluster(kafka.clientProperties("trainer", "trainer-secret")));
  }

  @Test
  void aWrongPasswordIsRefusedAsAnAuthenticationFailure() {
    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () -> describeCluster(kafka.clientProperties("labeler", "wrong")));
    SaslAuthenticationException cause =
        assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
    assertTrue(
        cause.getMessage().contains("Authentication failed"),
        "the broker should say authentication failed: " + cause.getMessage());
  }

  @Test
  void anUnknownUserIsRefused() {
    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () -> describeCluster(kafka.clientProperties("nobody", "labeler-secret")));
    assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
  }

  @Test
  void aClientThatDoesNotTrustTheCaIsRefused() {
    Map<String, String> client = new java.util.HashMap<>(kafka.clientProperties("labeler", "x"));
    client.remove("ssl.truststore.location");
    client.remove("ssl.truststore.password");
    client.remove("ssl.truststore.type");
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> describeCluster(client));
    assertTrue(
        refused.getCause().toString().contains("SSL"),
        "the failure should name the TLS handshake: " + refused.getCause());
  }

  /** Returns "host:port" of the one node, or throws the Admin client's failure. */
  private static String describeCluster(Map<String, String> client) throws Exception {
    Properties p = new Properties();
    p.putAll(client);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    try (Admin admin = Admin.create(p)) {
      var node = admin.describeCluster().nodes().get(15, TimeUnit.SECONDS).iterator().next();
      return node.host() + ":" + node.port();
    }
  }
}
