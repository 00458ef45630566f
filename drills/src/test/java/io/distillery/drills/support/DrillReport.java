package io.distillery.drills.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One line per drill run, printed and appended to {@code drills/target/drill-results.md}: the
 * numbers RELIABILITY.md reports.
 */
public final class DrillReport {

  private DrillReport() {}

  public static void record(
      String drill,
      String size,
      String kills,
      long records,
      long lost,
      long duplicated,
      Duration wall,
      String notes) {
    String line =
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %,d | %,d | %,d | %.0f s | %s |",
            Instant.now().toString().substring(0, 16),
            drill,
            size,
            kills,
            records,
            lost,
            duplicated,
            wall.toMillis() / 1000.0,
            notes);
    System.out.println("DRILL " + line);
    Path file = Drills.ROOT.resolve("drills/target/drill-results.md");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("could not append to " + file + ": " + e);
    }
  }
}
