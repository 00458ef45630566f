package io.distillery.cli.process;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process a command starts, stopped with its process tree when the JVM exits (normal end,
 * Ctrl-C or SIGTERM), so that no command leaves a broker, teacher or labeler running. A process
 * closed normally leaves the set first.
 */
public final class ChildProcesses {

  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ChildProcesses::stopAll, "distillery-stop-children"));
  }

  private ChildProcesses() {}

  /** Tracks a started process until {@link #forget(Process)}. */
  public static Process track(Process process) {
    RUNNING.add(process);
    return process;
  }

  /** The process was stopped by its owner. */
  public static void forget(Process process) {
    RUNNING.remove(process);
  }

  /** Processes started and not yet stopped. */
  public static int running() {
    return (int) RUNNING.stream().filter(Process::isAlive).count();
  }

  private static void stopAll() {
    for (Process process : RUNNING) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    for (Process process : RUNNING) {
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
