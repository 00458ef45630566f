package io.distillery.cli.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time of each phase of a run, in the order they ran. */
final class PhaseClock {

  private final Map<String, Duration> phases = new LinkedHashMap<>();

  /** A phase's body. */
  interface Phase<T> {
    T run() throws Exception;
  }

  <T> T time(String name, Phase<T> phase) throws Exception {
    long start = System.nanoTime();
    try {
      return phase.run();
    } finally {
      phases.merge(name, Duration.ofNanos(System.nanoTime() - start), Duration::plus);
    }
  }

  Map<String, Duration> phases() {
    return new LinkedHashMap<>(phases);
  }
}
