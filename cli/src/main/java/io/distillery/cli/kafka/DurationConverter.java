package io.distillery.cli.kafka;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Reads durations as {@code 500ms}, {@code 10s}, {@code 2m}, a plain number of seconds or ISO-8601.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (v.startsWith("pt")) {
        d = Duration.parse(v.toUpperCase(Locale.ROOT));
      } else if (v.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        d =
            Duration.ofMillis(
                Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      } else if (v.endsWith("m")) {
        d =
            Duration.ofMillis(
                Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
      } else {
        d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
      }
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
      }
      return d;
    } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (e.g. 500ms, 10s, 2m)");
    }
  }
}
