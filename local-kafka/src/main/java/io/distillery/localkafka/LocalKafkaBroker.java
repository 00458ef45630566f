package io.distillery.localkafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real Apache Kafka broker and KRaft controller in one node, run inside this JVM from Kafka's own
 * server classes. Meant for tests and local runs: single node, plaintext, bound to {@value #HOST}.
 *
 * <pre>{@code
 * try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().build().start()) {
 *   kafka.createTopics(DistilleryTopics.ALL, 1);
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>Without {@link Builder#dataDir(Path)} the broker uses a temporary directory that {@link
 * #close()} deletes. With a data dir, the dir is formatted only on first use, so data survives
 * restarts.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  /** The only interface the broker listens on. */
  public static final String HOST = "127.0.0.1";

  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final Path requestedDataDir;
  private final int requestedBrokerPort;
  private final int requestedControllerPort;
  private final int defaultPartitions;
  private final Duration timeout;

  private Path dataDir;
  private boolean ownsDataDir;
  private int brokerPort;
  private int controllerPort;
  private boolean formattedOnStart;
  private KafkaRaftServer server;
  private Admin admin;

  private LocalKafkaBroker(Builder builder) {
    this.requestedDataDir = builder.dataDir;
    this.requestedBrokerPort = builder.brokerPort;
    this.requestedControllerPort = builder.controllerPort;
    this.defaultPartitions = builder.defaultPartitions;
    this.timeout = builder.timeout;
  }

  /** Returns a builder with defaults: temp dir, free ports, 1 partition, 60 s timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /** The Kafka version of the server classes on the classpath, e.g. {@code 4.1.2}. */
  public static String kafkaVersion() {
    return AppInfoParser.getVersion();
  }

  /**
   * Formats the data dir if needed, starts broker and controller, and returns once the broker
   * answers Admin requests.
   *
   * @throws IllegalStateException if a port is taken, the dir cannot be used, or the broker is not
   *     ready within the timeout; the message names ports and dir
   */
  public synchronized LocalKafkaBroker start() {
    if (server != null) {
      throw new IllegalStateException("Kafka broker already started at " + bootstrapServers());
    }
    KafkaLogging.quiet();
    long deadline = System.nanoTime() + timeout.toNanos();
    int[] ports = Ports.resolve(requestedBrokerPort, requestedControllerPort);
    brokerPort = ports[0];
    controllerPort = ports[1];
    dataDir = prepareDataDir();
    try {
      formattedOnStart = formatIfNeeded(dataDir);
      server = new KafkaRaftServer(new KafkaConfig(serverProperties(), false), Time.SYSTEM);
      server.startup();
      admin = Admin.create(adminProperties());
      awaitReady(deadline);
      return this;
    } catch (RuntimeException | Error e) {
      String where = describe();
      close();
      throw new IllegalStateException("Kafka broker failed to start (" + where + "): " + e, e);
    }
  }

  /** The address clients use, e.g. {@code 127.0.0.1:39092}. */
  public String bootstrapServers() {
    requireStarted();
    return HOST + ":" + brokerPort;
  }

  /** The port clients connect to (chosen at start when 0 was requested). */
  public int brokerPort() {
    requireStarted();
    return brokerPort;
  }

  /** The port of the KRaft controller listener (chosen at start when 0 was requested). */
  public int controllerPort() {
    requireStarted();
    return controllerPort;
  }

  /** The log directory in use: the configured one or the temp dir. */
  public Path dataDir() {
    requireStarted();
    return dataDir;
  }

  /** True if {@link #start()} found an empty data dir and formatted it. */
  public boolean formattedOnStart() {
    requireStarted();
    return formattedOnStart;
  }

  /** Creates the topics with the builder's default partition count. */
  public void createTopics(Collection<String> names) {
    createTopics(names, defaultPartitions);
  }

  /**
   * Creates the topics (replication factor 1) and waits until the broker serves them. Topics that
   * already exist are left as they are, whatever their partition count.
   */
  public synchronized void createTopics(Collection<String> names, int partitions) {
    requireStarted();
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    Set<String> unique = new LinkedHashSet<>(names);
    List<NewTopic> topics =
        unique.stream().map(name -> new NewTopic(name, partitions, (short) 1)).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Map.Entry<String, KafkaFuture<Void>> created :
        admin.createTopics(topics).values().entrySet()) {
      try {
        await(created.getValue(), deadline);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "Could not create topic "
                  + created.getKey()
                  + " ("
                  + partitions
                  + " partitions) on "
                  + bootstrapServers()
                  + ": "
                  + e.getCause(),
              e.getCause());
        }
      }
    }
    awaitLeaders(unique, deadline);
  }

  /** Shuts broker and controller down, waits for them, and deletes a temp data dir. */
  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
    if (ownsDataDir && dataDir != null) {
      try {
        Utils.delete(dataDir.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException("Could not delete Kafka temp dir " + dataDir, e);
      }
      dataDir = null;
      ownsDataDir = false;
    }
  }

  private Path prepareDataDir() {
    try {
      if (requestedDataDir == null) {
        ownsDataDir = true;
        return Files.createTempDirectory("distillery-kafka-");
      }
      ownsDataDir = false;
      return Files.createDirectories(requestedDataDir.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not create Kafka data dir "
              + (requestedDataDir == null ? "(temp dir)" : requestedDataDir.toAbsolutePath()),
          e);
    }
  }

  /** Formats like {@code kafka-storage format}, but only a dir without meta.properties. */
  private static boolean formatIfNeeded(Path dir) {
    if (Files.exists(dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
      return false;
    }
    try {
      new Formatter()
          .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .addDirectory(dir.toString())
          .setMetadataLogDirectory(dir.toString())
          .run();
      return true;
    } catch (Exception e) {
      throw new IllegalStateException("Could not format Kafka data dir " + dir + ": " + e, e);
    }
  }

  private Properties serverProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    // Static voters (kraft.version 0): the controller port may change between restarts.
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + HOST
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("num.partitions", String.valueOf(defaultPartitions));
    // One node: every replication factor and min ISR must be 1.
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Internal topics with one partition start fast; consumers join without the 3 s delay.
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // The cleaner's default 128 MB dedupe buffer is sized for production logs.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    return p;
  }

  private Properties adminProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + brokerPort);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "distillery-local-kafka");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    return p;
  }

  /** Ready = the broker answers DescribeCluster and lists itself. */
  private void awaitReady(long deadline) {
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        int remainingMs =
            (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        var nodes =
            admin
                .describeCluster(new DescribeClusterOptions().timeoutMs(remainingMs))
                .nodes()
                .get(remainingMs, TimeUnit.MILLISECONDS);
        if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = e.getCause() != null ? e.getCause() : e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Kafka at " + describe(), e);
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "Kafka broker did not accept clients within " + timeout.toSeconds() + " s: " + last, last);
  }

  /** createTopics returns when the controller commits; wait until the broker knows the leaders. */
  private void awaitLeaders(Set<String> topics, long deadline) {
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> described =
            await(admin.describeTopics(topics).allTopicNames(), deadline);
        boolean led =
            described.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (led) {
          return;
        }
      } catch (ExecutionException e) {
        last = e.getCause();
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "Topics " + topics + " got no leader on " + bootstrapServers() + " in time: " + last, last);
  }

  private <T> T await(KafkaFuture<T> future, long deadline) throws ExecutionException {
    try {
      return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while talking to Kafka at " + describe(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at " + describe() + " did not answer within " + timeout.toSeconds() + " s", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka", e);
    }
  }

  private String describe() {
    return "broker "
        + HOST
        + ":"
        + brokerPort
        + ", controller "
        + HOST
        + ":"
        + controllerPort
        + ", data dir "
        + dataDir;
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException("Kafka broker is not running; call start() first");
    }
  }

  /** Options for a {@link LocalKafkaBroker}; every one has a default. */
  public static final class Builder {
    private Path dataDir;
    private int brokerPort;
    private int controllerPort;
    private int defaultPartitions = 1;
    private Duration timeout = Duration.ofSeconds(60);

    private Builder() {}

    /** A persistent log dir, formatted on first use; {@code null} = temp dir deleted on close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** The client port on {@value LocalKafkaBroker#HOST}; 0 (default) picks a free one. */
    public Builder brokerPort(int port) {
      this.brokerPort = Ports.check(port, "broker port");
      return this;
    }

    /** The KRaft controller port; 0 (default) picks a free one. */
    public Builder controllerPort(int port) {
      this.controllerPort = Ports.check(port, "controller port");
      return this;
    }

    /** Partitions of topics created without a count, including auto-created ones. */
    public Builder defaultPartitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("default partitions must be >= 1, was " + partitions);
      }
      this.defaultPartitions = partitions;
      return this;
    }

    /** Upper bound for start-up and for each topic creation (default 60 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** A broker that is not started yet. */
    public LocalKafkaBroker build() {
      return new LocalKafkaBroker(this);
    }
  }
}
