package io.distillery.localkafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

  @Test
  void producedRecordsComeBackExactly() throws Exception {
    Path dataDir;
    try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().build().start()) {
      dataDir = kafka.dataDir();
      assertTrue(kafka.formattedOnStart());
      assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());

      kafka.createTopics(DistilleryTopics.ALL, 2);
      kafka.createTopics(DistilleryTopics.ALL, 2); // idempotent
      assertEquals(
          Map.of(DistilleryTopics.PROMPTS, 2), partitions(kafka, DistilleryTopics.PROMPTS));
      assertTrue(topics(kafka).containsAll(DistilleryTopics.ALL), topics(kafka).toString());

      Map<String, String> sent = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        sent.put("p" + i, "{\"id\":\"p" + i + "\",\"n\":" + i + "}");
      }
      KafkaRecords.produce(kafka.bootstrapServers(), DistilleryTopics.PROMPTS, sent);

      assertEquals(
          20, KafkaRecords.values(kafka.bootstrapServers(), DistilleryTopics.PROMPTS, 20).size());
      assertEquals(
          sent, KafkaRecords.consume(kafka.bootstrapServers(), DistilleryTopics.PROMPTS, 20));
    }
    assertFalse(Files.exists(dataDir), "temp data dir must be deleted on close: " + dataDir);
  }

  @Test
  void dataSurvivesRestartOnTheSameDataDir(@TempDir Path dir) throws Exception {
    Map<String, String> sent = Map.of("a", "1", "b", "2", "c", "3");
    try (LocalKafkaBroker first = LocalKafkaBroker.builder().dataDir(dir).build().start()) {
      assertTrue(first.formattedOnStart());
      first.createTopics(List.of(DistilleryTopics.SOFT_LABELS), 1);
      KafkaRecords.produce(first.bootstrapServers(), DistilleryTopics.SOFT_LABELS, sent);
    }
    assertTrue(Files.exists(dir.resolve("meta.properties")), "persistent dir must be kept");

    try (LocalKafkaBroker second = LocalKafkaBroker.builder().dataDir(dir).build().start()) {
      assertFalse(second.formattedOnStart(), "an already formatted dir must not be re-formatted");
      assertTrue(topics(second).contains(DistilleryTopics.SOFT_LABELS));
      assertEquals(
          sent, KafkaRecords.consume(second.bootstrapServers(), DistilleryTopics.SOFT_LABELS, 3));
    }
    assertTrue(Files.exists(dir.resolve("meta.properties")));
  }

  @Test
  void takenPortIsReportedWithItsNumber() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      LocalKafkaBroker kafka = LocalKafkaBroker.builder().brokerPort(taken.getLocalPort()).build();
      IllegalStateException e = assertThrows(IllegalStateException.class, kafka::start);
      assertEquals(
          "Broker port " + taken.getLocalPort() + " on 127.0.0.1 is already in use",
          e.getMessage());
    }
  }

  private static Set<String> topics(LocalKafkaBroker kafka) throws Exception {
    try (Admin admin = admin(kafka)) {
      return admin.listTopics().names().get();
    }
  }

  private static Map<String, Integer> partitions(LocalKafkaBroker kafka, String topic)
      throws Exception {
    try (Admin admin = admin(kafka)) {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return Map.of(topic, d.partitions().size());
    }
  }

  private static Admin admin(LocalKafkaBroker kafka) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return Admin.create(p);
  }
}
