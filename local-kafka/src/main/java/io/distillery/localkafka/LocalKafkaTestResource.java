package io.distillery.localkafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at a real Kafka broker running in the test JVM, with every {@link
 * DistilleryTopics} topic created.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(LocalKafkaTestResource.class)
 * class LabelerTest { ... }
 * }</pre>
 *
 * <p>One broker serves the whole JVM: the first {@link #start()} starts it, later test classes
 * reuse it, and a shutdown hook closes it when the JVM exits (so {@link #stop()} does nothing).
 * Init arg {@code partitions} (default 1) sets the partition count of the topics created by the
 * first start. Returns {@code kafka.bootstrap.servers}, the default of every SmallRye Kafka
 * channel.
 */
public class LocalKafkaTestResource implements QuarkusTestResourceLifecycleManager {

  /** Config key returned by {@link #start()}. */
  public static final String BOOTSTRAP_CONFIG = "kafka.bootstrap.servers";

  /**
   * System property holding the running broker's address. It also lets a copy of this class in
   * another class loader of the same JVM (Quarkus may load test resources more than once) reuse the
   * broker instead of starting a second one.
   */
  public static final String BOOTSTRAP_PROPERTY = "distillery.local-kafka.bootstrap-servers";

  /** Init arg with the partition count of the created topics. */
  public static final String PARTITIONS_ARG = "partitions";

  private static LocalKafkaBroker broker;

  private int partitions = 1;

  @Override
  public void init(Map<String, String> initArgs) {
    String value = initArgs.get(PARTITIONS_ARG);
    if (value != null) {
      try {
        partitions = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "LocalKafkaTestResource init arg '" + PARTITIONS_ARG + "' is not a number: " + value,
            e);
      }
      if (partitions < 1) {
        throw new IllegalArgumentException(
            "LocalKafkaTestResource init arg '" + PARTITIONS_ARG + "' must be >= 1, was " + value);
      }
    }
  }

  @Override
  public Map<String, String> start() {
    return Map.of(BOOTSTRAP_CONFIG, ensureStarted(partitions));
  }

  @Override
  public void stop() {
    // Shared by all test classes of this JVM; the shutdown hook closes it.
  }

  /**
   * The address of the shared broker, e.g. {@code 127.0.0.1:39092}, starting it (topics with 1
   * partition) if no test resource has yet. For tests that build their own clients.
   */
  public static String bootstrapServers() {
    return ensureStarted(1);
  }

  private static synchronized String ensureStarted(int partitions) {
    if (broker != null) {
      return broker.bootstrapServers();
    }
    String running = System.getProperty(BOOTSTRAP_PROPERTY);
    if (running != null) {
      return running;
    }
    LocalKafkaBroker started = LocalKafkaBroker.builder().defaultPartitions(partitions).build();
    try {
      started.start();
      started.createTopics(DistilleryTopics.ALL, partitions);
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-kafka-test-shutdown"));
    broker = started;
    System.setProperty(BOOTSTRAP_PROPERTY, started.bootstrapServers());
    return started.bootstrapServers();
  }
}
