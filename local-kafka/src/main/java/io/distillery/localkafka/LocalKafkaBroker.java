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
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
 * server classes. Meant for tests and local runs: single node, bound to {@value #HOST}; plaintext
 * by default, or SASL_SSL with SCRAM-SHA-512 and certificates generated at start once {@link
 * Builder#scramUser(String, String)} names a user.
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
 *
 * <p>With SASL_SSL, {@link #bootstrapServers()} is the SASL_SSL listener and {@link
 * #clientProperties(String, String)} gives the client settings (security protocol, mechanism, JAAS
 * config, truststore). The broker keeps a second, plaintext listener on another port of {@value
 * #HOST} for itself (inter-broker traffic and the admin client that creates topics and users).
 */
public final class LocalKafkaBroker implements AutoCloseable {

  /** The only interface the broker listens on. */
  public static final String HOST = "127.0.0.1";

  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CLIENT_LISTENER = "SASL_SSL";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  /** The only SASL mechanism the SASL_SSL listener offers. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  private static final int SCRAM_ITERATIONS = 4096;

  private final Path requestedDataDir;
  private final int requestedBrokerPort;
  private final int requestedControllerPort;
  private final int defaultPartitions;
  private final Duration timeout;
  private final Map<String, String> scramUsers;

  private Path dataDir;
  private boolean ownsDataDir;
  private int brokerPort;
  private int controllerPort;
  private int internalPort;
  private Path tlsDir;
  private LocalCertificates certificates;
  private boolean formattedOnStart;
  private KafkaRaftServer server;
  private Admin admin;

  private LocalKafkaBroker(Builder builder) {
    this.requestedDataDir = builder.dataDir;
    this.requestedBrokerPort = builder.brokerPort;
    this.requestedControllerPort = builder.controllerPort;
    this.defaultPartitions = builder.defaultPartitions;
    this.timeout = builder.timeout;
    this.scramUsers = Map.copyOf(builder.scramUsers);
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
    int[] ports =
        saslSsl()
            ? Ports.resolve(requestedBrokerPort, requestedControllerPort, 0)
            : Ports.resolve(requestedBrokerPort, requestedControllerPort);
    brokerPort = ports[0];
    controllerPort = ports[1];
    internalPort = saslSsl() ? ports[2] : ports[0];
    dataDir = prepareDataDir();
    try {
      if (saslSsl()) {
        tlsDir = Files.createTempDirectory("distillery-kafka-tls-");
        certificates = LocalCertificates.generate(tlsDir);
      }
      formattedOnStart = formatIfNeeded(dataDir);
      server = new KafkaRaftServer(new KafkaConfig(serverProperties(), false), Time.SYSTEM);
      server.startup();
      admin = Admin.create(adminProperties());
      awaitReady(deadline);
      for (Map.Entry<String, String> user : scramUsers.entrySet()) {
        upsertScramUser(user.getKey(), user.getValue(), deadline);
      }
      return this;
    } catch (IOException e) {
      String where = describe();
      close();
      throw new IllegalStateException("Kafka broker failed to start (" + where + "): " + e, e);
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

  /** {@code SASL_SSL} once a SCRAM user was configured, else {@code PLAINTEXT}. */
  public String securityProtocol() {
    return saslSsl() ? CLIENT_LISTENER : BROKER_LISTENER;
  }

  /**
   * The standard Kafka client settings (without {@code bootstrap.servers}) that authenticate as
   * {@code user} over this broker's client listener: {@code security.protocol}, {@code
   * sasl.mechanism}, {@code sasl.jaas.config} and the {@code ssl.truststore.*} of the generated CA.
   * Empty for a plaintext broker. Prefix each key with {@code kafka.} for SmallRye/Quarkus.
   */
  public Map<String, String> clientProperties(String user, String password) {
    requireStarted();
    if (!saslSsl()) {
      return Map.of();
    }
    return Map.of(
        "security.protocol",
        CLIENT_LISTENER,
        "sasl.mechanism",
        SCRAM_MECHANISM,
        "sasl.jaas.config",
        scramJaasConfig(user, password),
        "ssl.truststore.location",
        certificates.truststore().toString(),
        "ssl.truststore.password",
        certificates.password(),
        "ssl.truststore.type",
        LocalCertificates.STORE_TYPE);
  }

  /** The JAAS line of Kafka's SCRAM login module for one user. */
  public static String scramJaasConfig(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + jaasQuoted(user)
        + "\" password=\""
        + jaasQuoted(password)
        + "\";";
  }

  /** The CA, keystore and truststore generated at start; only with SASL_SSL. */
  public LocalCertificates certificates() {
    requireStarted();
    if (!saslSsl()) {
      throw new IllegalStateException("Kafka broker at " + bootstrapServers() + " is plaintext");
    }
    return certificates;
  }

  /**
   * Creates or updates a SCRAM-SHA-512 user through the Admin API and returns once the user can
   * authenticate on the client listener. Only with SASL_SSL.
   */
  public synchronized void addScramUser(String user, String password) {
    certificates();
    upsertScramUser(user, password, System.nanoTime() + timeout.toNanos());
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
    if (tlsDir != null) {
      try {
        Utils.delete(tlsDir.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException("Could not delete Kafka TLS dir " + tlsDir, e);
      }
      tlsDir = null;
      certificates = null;
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
    String internal = BROKER_LISTENER + "://" + HOST + ":" + internalPort;
    String advertised =
        saslSsl() ? CLIENT_LISTENER + "://" + HOST + ":" + brokerPort + "," + internal : internal;
    p.put(
        "listeners", advertised + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", advertised);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + (saslSsl() ? ",SASL_SSL:SASL_SSL" : ""));
    if (saslSsl()) {
      // Clients authenticate with SCRAM over TLS; broker and controller talk plaintext inside.
      String prefix = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
      p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
      p.put(
          prefix + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.put(prefix + "ssl.keystore.location", certificates.keystore().toString());
      p.put(prefix + "ssl.keystore.password", certificates.password());
      p.put(prefix + "ssl.key.password", certificates.password());
      p.put(prefix + "ssl.keystore.type", LocalCertificates.STORE_TYPE);
    }
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
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + internalPort);
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

  private void upsertScramUser(String user, String password, long deadline) {
    if (user == null || user.isBlank() || password == null || password.isEmpty()) {
      throw new IllegalArgumentException("A SCRAM user needs a name and a non-empty password");
    }
    try {
      await(
          admin
              .alterUserScramCredentials(
                  List.of(
                      new UserScramCredentialUpsertion(
                          user,
                          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
                          password)))
              .all(),
          deadline);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Could not create SCRAM user " + user + " on " + describe() + ": " + e.getCause(),
          e.getCause());
    }
    awaitAuthenticates(user, password, deadline);
  }

  /** Credentials travel through the metadata log: wait until the listener accepts them. */
  private void awaitAuthenticates(String user, String password, long deadline) {
    Properties p = new Properties();
    p.putAll(clientProperties(user, password));
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "distillery-local-kafka-" + user);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      // Each attempt is bounded: a TLS handshake on a busy machine may need a second try.
      try (Admin client = Admin.create(p)) {
        client.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        last = e.getCause();
      } catch (TimeoutException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Kafka at " + describe(), e);
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "SCRAM user " + user + " could not authenticate on " + bootstrapServers() + ": " + last,
        last);
  }

  private static String jaasQuoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private boolean saslSsl() {
    return !scramUsers.isEmpty();
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
        + (saslSsl() ? " (SASL_SSL), internal " + HOST + ":" + internalPort : "")
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
    private final Map<String, String> scramUsers = new java.util.LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a SCRAM-SHA-512 user, created through the Admin API at start. Any user switches the
     * client port to SASL_SSL with a CA and broker certificate generated at start.
     */
    public Builder scramUser(String user, String password) {
      if (user == null || user.isBlank() || password == null || password.isEmpty()) {
        throw new IllegalArgumentException("A SCRAM user needs a name and a non-empty password");
      }
      scramUsers.put(user, password);
      return this;
    }

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
