package io.distillery.cli.logging;

import java.util.List;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

/**
 * Keeps Kafka's client chatter off a command's output. Kafka logs through SLF4J to the JBoss
 * LogManager; at INFO it dumps every client configuration, and while a broker is unreachable it
 * warns about each reconnect. A command reports such problems itself, in one line, so only Kafka's
 * errors stay visible.
 */
public final class CliLogging {

  private static final List<String> KAFKA = List.of("org.apache.kafka", "kafka");

  // JBoss keeps levels on logger nodes that may be dropped when nothing refers to them.
  private static volatile List<Logger> quieted;

  private CliLogging() {}

  /** Sets Kafka's client loggers to ERROR, once per JVM. */
  public static synchronized void quietKafka() {
    if (quieted == null) {
      LogContext context = LogContext.getLogContext();
      List<Logger> loggers = KAFKA.stream().map(context::getLogger).toList();
      loggers.forEach(logger -> logger.setLevel(Level.ERROR));
      quieted = loggers;
    }
  }
}
