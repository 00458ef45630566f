package io.distillery.localkafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class LocalKafkaTestResourceTest {

  @Test
  void sharesOneBrokerWithTheTopicsAndReturnsItsAddress() throws Exception {
    LocalKafkaTestResource first = new LocalKafkaTestResource();
    first.init(Map.of());
    Map<String, String> config = first.start();
    String bootstrap = config.get("kafka.bootstrap.servers");
    assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
    assertEquals(bootstrap, LocalKafkaTestResource.bootstrapServers());

    LocalKafkaTestResource second = new LocalKafkaTestResource();
    second.init(Map.of("partitions", "4"));
    first.stop();
    assertEquals(Map.of("kafka.bootstrap.servers", bootstrap), second.start());

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      assertTrue(admin.listTopics().names().get().containsAll(DistilleryTopics.ALL));
      assertEquals(
          1,
          admin
              .describeTopics(DistilleryTopics.ALL)
              .allTopicNames()
              .get()
              .get(DistilleryTopics.PROMPTS)
              .partitions()
              .size());
    }
  }

  @Test
  void badPartitionsArgIsReported() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LocalKafkaTestResource().init(Map.of("partitions", "many")));
    assertTrue(e.getMessage().contains("'partitions' is not a number: many"), e.getMessage());
  }
}
