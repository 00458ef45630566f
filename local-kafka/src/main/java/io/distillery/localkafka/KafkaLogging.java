package io.distillery.localkafka;

import java.util.List;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

/**
 * Turns Kafka's INFO chatter (config dumps, every state change) down to WARN. Kafka logs through
 * SLF4J and the Log4j API, both routed to the JBoss LogManager, so its levels decide. Quarkus
 * applies its own {@code quarkus.log.category} settings afterwards, so a service test can still
 * raise them.
 */
final class KafkaLogging {

  static final List<String> CATEGORIES =
      List.of("kafka", "org.apache.kafka", "state.change.logger");

  // JBoss keeps levels on logger nodes that may be dropped when no Logger refers to them.
  private static volatile List<Logger> quieted;

  private KafkaLogging() {}

  static synchronized void quiet() {
    if (quieted == null) {
      LogContext context = LogContext.getLogContext();
      List<Logger> loggers = CATEGORIES.stream().map(context::getLogger).toList();
      loggers.forEach(logger -> logger.setLevel(Level.WARN));
      quieted = loggers;
    }
  }
}
