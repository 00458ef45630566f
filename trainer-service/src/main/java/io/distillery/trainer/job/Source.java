package io.distillery.trainer.job;

import java.util.Locale;

/** Where a job's training targets come from. */
public enum Source {
  /** The teacher's soft labels stored in the log. */
  OFFLINE,
  /** The teacher, asked over gRPC about augmented views of the inputs stored in the log. */
  ONLINE;

  /**
   * Parses {@code offline} or {@code online}.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static Source fromName(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (wanted) {
      case "offline" -> OFFLINE;
      case "online" -> ONLINE;
      default ->
          throw new IllegalArgumentException(
              "distillery.trainer.source must be offline or online, got '" + name + "'");
    };
  }
}
