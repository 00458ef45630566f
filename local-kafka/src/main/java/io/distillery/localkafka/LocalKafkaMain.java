package io.distillery.localkafka;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs a {@link LocalKafkaBroker} as its own process for local runs and demos, with every {@link
 * DistilleryTopics} topic created. Blocks until SIGTERM/SIGINT, then shuts the broker down cleanly.
 *
 * <pre>java -jar local-kafka/target/distillery-local-kafka-*.jar --data-dir /tmp/kafka</pre>
 */
@Command(
    name = "local-kafka",
    mixinStandardHelpOptions = true,
    versionProvider = LocalKafkaMain.Version.class,
    description =
        "Runs a single-node Apache Kafka (KRaft) broker on 127.0.0.1 with the Distillery topics.")
public final class LocalKafkaMain implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Persistent log dir, formatted on first use and kept across restarts."
              + " Default: a temp dir deleted on exit.")
  private Path dataDir;

  private int port = 9092;
  private int controllerPort;

  @Option(
      names = "--scram-user",
      paramLabel = "NAME:PASSWORD",
      description =
          "A SCRAM-SHA-512 user; repeatable. Any user makes the client port SASL_SSL, with a CA and"
              + " broker certificate generated at start.")
  private java.util.List<String> scramUsers = new java.util.ArrayList<>();

  @Option(
      names = "--client-config",
      paramLabel = "FILE",
      description =
          "With --scram-user: write the client settings of the first user (bootstrap.servers,"
              + " security.protocol, sasl.*, ssl.truststore.*) to FILE, for --kafka-config.")
  private Path clientConfig;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "3",
      description = "Partitions of the created topics (default: ${DEFAULT-VALUE}).")
  private int partitions;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "9092",
      description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
  void setPort(int value) {
    port = validPort(value, "--port");
  }

  @Option(
      names = "--controller-port",
      paramLabel = "N",
      defaultValue = "0",
      description = "KRaft controller port (default: ${DEFAULT-VALUE} = any free port).")
  void setControllerPort(int value) {
    controllerPort = validPort(value, "--controller-port");
  }

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "How long start-up may take before the broker gives up (default: ${DEFAULT-VALUE};"
              + " a loaded machine replaying a large log needs more).")
  private int startTimeoutSeconds;

  /** Exits with 0 after --help, 2 for bad options, 1 if the broker cannot start. */
  public static void main(String[] args) {
    // Before anything logs: else JBoss LogManager's System.Logger finder complains on stderr.
    System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    System.exit(commandLine().execute(args));
  }

  /** The picocli command, exposed so tests can run it with their own output streams. */
  static CommandLine commandLine() {
    return new CommandLine(new LocalKafkaMain());
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (startTimeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '--start-timeout': must be >= 1, was " + startTimeoutSeconds);
    }
    if (partitions < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '--partitions': must be >= 1, was " + partitions);
    }
    ConsoleLogging.install();
    long started = System.nanoTime();
    LocalKafkaBroker.Builder builder =
        LocalKafkaBroker.builder()
            .dataDir(dataDir)
            .brokerPort(port)
            .controllerPort(controllerPort)
            .defaultPartitions(partitions)
            .timeout(java.time.Duration.ofSeconds(startTimeoutSeconds));
    String[] firstUser = null;
    for (String user : scramUsers) {
      String[] parts = user.split(":", 2);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid value for option '--scram-user': expected NAME:PASSWORD, was " + user);
      }
      builder.scramUser(parts[0], parts[1]);
      firstUser = firstUser == null ? parts : firstUser;
    }
    if (clientConfig != null && firstUser == null) {
      throw new ParameterException(spec.commandLine(), "--client-config needs a --scram-user");
    }
    LocalKafkaBroker broker = builder.build();
    CountDownLatch stopped = new CountDownLatch(1);
    // Registered before start(): a SIGTERM during start-up waits for it, then closes cleanly.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                },
                "local-kafka-shutdown"));
    try {
      broker.start();
      broker.createTopics(DistilleryTopics.ALL, partitions);
    } catch (RuntimeException e) {
      err.println("local-kafka: " + e.getMessage());
      err.flush();
      return 1;
    }
    if (clientConfig != null) {
      try {
        writeClientConfig(broker, firstUser[0], firstUser[1]);
      } catch (java.io.IOException e) {
        err.println("local-kafka: cannot write " + clientConfig + ": " + e.getMessage());
        err.flush();
        broker.close();
        return 1;
      }
      out.println("Client settings for " + firstUser[0] + " in " + clientConfig);
    }
    out.printf(
        "Kafka %s ready at %s (%s; topics: %s; %d partitions; data dir %s%s) in %.1f s%n",
        LocalKafkaBroker.kafkaVersion(),
        broker.bootstrapServers(),
        broker.securityProtocol(),
        String.join(", ", DistilleryTopics.ALL),
        partitions,
        broker.dataDir(),
        dataDir == null ? ", deleted on exit" : broker.formattedOnStart() ? ", new" : ", reused",
        (System.nanoTime() - started) / 1e9);
    out.flush();
    stopped.await();
    return 0;
  }

  private void writeClientConfig(LocalKafkaBroker broker, String user, String password)
      throws java.io.IOException {
    java.util.Properties settings = new java.util.Properties();
    settings.put("bootstrap.servers", broker.bootstrapServers());
    settings.putAll(broker.clientProperties(user, password));
    try (java.io.Writer writer = java.nio.file.Files.newBufferedWriter(clientConfig)) {
      settings.store(writer, "Kafka client settings for " + user + " (local-kafka, SASL_SSL)");
    }
  }

  private int validPort(int value, String option) {
    if (value < 0 || value > 65535) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '" + option + "': " + value + " is not a TCP port (0-65535)");
    }
    return value;
  }

  /** Reports the Kafka version of the server classes for --version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Apache Kafka " + LocalKafkaBroker.kafkaVersion() + " (KRaft)"};
    }
  }
}
