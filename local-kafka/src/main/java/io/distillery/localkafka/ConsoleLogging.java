package io.distillery.localkafka;

import java.util.logging.Handler;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * Console logging for the stand-alone process: log lines go to stderr so stdout carries only the
 * "ready" line that scripts wait for. Only {@link LocalKafkaMain} calls this, never a test JVM.
 */
final class ConsoleLogging {

  private ConsoleLogging() {}

  static void install() {
    Logger root = LogContext.getLogContext().getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    root.addHandler(
        new ConsoleHandler(
            ConsoleHandler.Target.SYSTEM_ERR,
            new PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c] %s%e%n")));
    root.setLevel(Level.INFO);
    KafkaLogging.quiet();
  }
}
