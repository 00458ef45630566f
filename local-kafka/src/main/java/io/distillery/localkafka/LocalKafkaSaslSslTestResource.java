package io.distillery.localkafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at a real Kafka broker in the test JVM that only accepts SASL_SSL
 * with SCRAM-SHA-512, its CA and certificate generated at start, every {@link DistilleryTopics}
 * topic created. Returns the standard SmallRye keys: {@code kafka.bootstrap.servers}, {@code
 * kafka.security.protocol}, {@code kafka.sasl.mechanism}, {@code kafka.sasl.jaas.config} and {@code
 * kafka.ssl.truststore.*}.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(value = LocalKafkaSaslSslTestResource.class, restrictToAnnotatedClass = true)
 * class OverTlsTest { ... }
 * }</pre>
 *
 * <p>Restrict it to the annotated class: a plain {@code @QuarkusTestResource} applies to every test
 * of the module. Its {@link #order()} starts it after a module-wide {@link LocalKafkaTestResource},
 * so its {@code kafka.bootstrap.servers} wins in the classes it serves.
 *
 * <p>The broker knows one user, {@value #USER} with password {@value #PASSWORD}. Init arg {@code
 * password} makes the application present another password (to test a refusal). Like {@link
 * LocalKafkaTestResource}, one broker serves the whole JVM and a shutdown hook closes it.
 */
public class LocalKafkaSaslSslTestResource implements QuarkusTestResourceLifecycleManager {

  /** The SCRAM user the broker knows. */
  public static final String USER = "distillery";

  /** That user's password. */
  public static final String PASSWORD = "distillery-secret";

  /** Init arg: the password the application presents instead of {@link #PASSWORD}. */
  public static final String PASSWORD_ARG = "password";

  private static final String PREFIX = "distillery.local-kafka.sasl-ssl.";

  /**
   * A string literal is one object in the whole JVM (the string pool is shared by every class
   * loader), so every copy of this class starts the broker under the same lock.
   */
  private static final String JVM_WIDE_LOCK = "io.distillery.localkafka.sasl-ssl-test-broker";

  private static LocalKafkaBroker broker;

  private String password = PASSWORD;

  @Override
  public void init(Map<String, String> initArgs) {
    password = initArgs.getOrDefault(PASSWORD_ARG, PASSWORD);
  }

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>();
    clientProperties(USER, password).forEach((key, value) -> config.put("kafka." + key, value));
    config.put(LocalKafkaTestResource.BOOTSTRAP_CONFIG, bootstrapServers());
    return config;
  }

  /** After {@link LocalKafkaTestResource} (order 0): the later resource's config wins. */
  @Override
  public int order() {
    return 100;
  }

  @Override
  public void stop() {
    // Shared by all test classes of this JVM; the shutdown hook closes it.
  }

  /** The SASL_SSL address of the shared broker, starting it if needed. */
  public static String bootstrapServers() {
    ensureStarted();
    return System.getProperty(PREFIX + "bootstrap-servers");
  }

  /**
   * Client settings (without bootstrap servers) for the shared broker as {@code user}: security
   * protocol, mechanism, JAAS config, truststore. For tests that build their own clients.
   */
  public static Map<String, String> clientProperties(String user, String password) {
    ensureStarted();
    return Map.of(
        "security.protocol",
        "SASL_SSL",
        "sasl.mechanism",
        LocalKafkaBroker.SCRAM_MECHANISM,
        "sasl.jaas.config",
        LocalKafkaBroker.scramJaasConfig(user, password),
        "ssl.truststore.location",
        System.getProperty(PREFIX + "truststore"),
        "ssl.truststore.password",
        System.getProperty(PREFIX + "truststore-password"),
        "ssl.truststore.type",
        LocalCertificates.STORE_TYPE);
  }

  /** Client settings for the user the broker knows, with the right password. */
  public static Map<String, String> clientProperties() {
    return clientProperties(USER, PASSWORD);
  }

  // System properties, not only the static field: Quarkus may load this class in more than one
  // class loader of the same JVM, and every copy must find the one broker.
  private static void ensureStarted() {
    synchronized (JVM_WIDE_LOCK) {
      if (broker == null && System.getProperty(PREFIX + "bootstrap-servers") == null) {
        startBroker();
      }
    }
  }

  private static void startBroker() {
    LocalKafkaBroker started = LocalKafkaBroker.builder().scramUser(USER, PASSWORD).build();
    try {
      started.start();
      started.createTopics(DistilleryTopics.ALL, 1);
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(started::close, "local-kafka-sasl-ssl-test-shutdown"));
    broker = started;
    System.setProperty(PREFIX + "truststore", started.certificates().truststore().toString());
    System.setProperty(PREFIX + "truststore-password", started.certificates().password());
    System.setProperty(PREFIX + "bootstrap-servers", started.bootstrapServers());
  }
}
