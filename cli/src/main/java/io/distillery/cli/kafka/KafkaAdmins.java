package io.distillery.cli.kafka;

import io.distillery.cli.logging.CliLogging;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;

/** Admin clients for the CLI that fail fast, in one line, when the cluster is not there. */
public final class KafkaAdmins {

  private KafkaAdmins() {}

  /**
   * Opens an admin client and checks that the cluster answers within {@code timeout}.
   *
   * @throws KafkaUnavailableException naming the bootstrap servers if it does not
   */
  public static Admin connect(String bootstrapServers, Duration timeout) {
    CliLogging.quietKafka();
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "distillery-cli-admin");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(millis));
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(millis));
    // Try again quickly: a missing broker should cost the timeout, not a back-off schedule.
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    KafkaClientSettings.applyTo(config);
    Admin admin;
    try {
      admin = Admin.create(config);
    } catch (KafkaException e) {
      throw new KafkaUnavailableException(
          "cannot use Kafka at " + bootstrapServers + ": " + rootMessage(e), e);
    }
    try {
      get(admin.describeCluster().nodes(), bootstrapServers, timeout, "connect");
      return admin;
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * Checks that every topic exists.
   *
   * @throws KafkaUnavailableException naming the missing topics and the ones that exist
   */
  public static void requireTopics(
      Admin admin, String bootstrapServers, Collection<String> topics, Duration timeout) {
    Set<String> existing =
        new TreeSet<>(get(admin.listTopics().names(), bootstrapServers, timeout, "list topics"));
    List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
    if (!missing.isEmpty()) {
      throw new KafkaUnavailableException(
          (missing.size() == 1 ? "topic " : "topics ")
              + String.join(", ", missing)
              + " not found on "
              + bootstrapServers
              + " (topics there: "
              + (existing.isEmpty() ? "none" : String.join(", ", existing))
              + ")");
    }
  }

  /**
   * Waits for an admin result, turning timeouts and failures into one-line messages.
   *
   * @param what the operation, for the message ("list topics")
   */
  public static <T> T get(
      KafkaFuture<T> future, String bootstrapServers, Duration timeout, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw unreachable(bootstrapServers, timeout, what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(bootstrapServers, timeout, what, cause);
      }
      throw new KafkaUnavailableException(
          "Kafka at " + bootstrapServers + ": cannot " + what + ": " + rootMessage(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while waiting for Kafka", e);
    }
  }

  private static KafkaUnavailableException unreachable(
      String bootstrapServers, Duration timeout, String what, Throwable cause) {
    return new KafkaUnavailableException(
        "cannot reach Kafka at "
            + bootstrapServers
            + " (no answer to '"
            + what
            + "' within "
            + seconds(timeout)
            + "); is a broker running there? Point --bootstrap-servers at one",
        cause);
  }

  private static String seconds(Duration timeout) {
    return timeout.toMillis() % 1000 == 0
        ? timeout.toSeconds() + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", timeout.toMillis() / 1000.0);
  }

  /** The innermost message, for one-line errors. */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
