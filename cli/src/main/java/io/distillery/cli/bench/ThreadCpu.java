package io.distillery.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * CPU time of a JVM process's JIT compiler and garbage collector threads, read from Linux's {@code
 * /proc/<pid>/task/<tid>/stat}: in a benchmark's steady-state window they tell warm-up that has not
 * finished apart from the per-prompt work. Empty (zero) where {@code /proc} is absent.
 *
 * @param jit CPU of the C1 and C2 compiler threads
 * @param gc CPU of the garbage collector's threads
 */
record ThreadCpu(Duration jit, Duration gc) {

  /** Linux reports thread CPU in clock ticks of 1/100 s (USER_HZ) on every architecture we run. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  static final ThreadCpu NONE = new ThreadCpu(Duration.ZERO, Duration.ZERO);

  /** The JIT and GC threads' CPU so far, of the live threads of process {@code pid}. */
  static ThreadCpu of(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    if (!Files.isDirectory(tasks)) {
      return NONE;
    }
    long jitTicks = 0;
    long gcTicks = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        long[] ticks = ticks(thread);
        if (ticks == null) {
          continue;
        }
        String name = Files.readString(thread.resolve("comm")).strip();
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
          jitTicks += ticks[0];
        } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
          gcTicks += ticks[0];
        }
      }
    } catch (IOException e) {
      // The process or a thread ended while being read: nothing to attribute.
      return NONE;
    }
    return new ThreadCpu(
        Duration.ofNanos(jitTicks * NANOS_PER_TICK), Duration.ofNanos(gcTicks * NANOS_PER_TICK));
  }

  /** utime + stime of one thread, or null when it ended. */
  private static long[] ticks(Path thread) {
    try {
      String stat = Files.readString(thread.resolve("stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(fields[11]) + Long.parseLong(fields[12])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  ThreadCpu minus(ThreadCpu earlier) {
    return new ThreadCpu(jit.minus(earlier.jit), gc.minus(earlier.gc));
  }
}
