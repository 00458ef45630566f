package io.distillery.cli.demo;

import java.util.Map;

/**
 * One student family of the demo: its trainer settings and how long it trains. Each family runs a
 * {@code hard} and a {@code kd} job per seed with the same student, steps and batch order.
 *
 * @param name short name used in job ids, e.g. {@code cnn}
 * @param title row title in the result table, e.g. {@code CNN 16-32-64}
 * @param properties the trainer-service properties that build the student ({@code
 *     distillery.trainer.student.*})
 * @param passes passes over the soft-label log per job
 */
public record StudentPlan(String name, String title, Map<String, String> properties, int passes) {

  /** Optimizer steps of one job for {@code labels} labels per pass. */
  public long steps(long labels, int batchSize) {
    return passes * ((labels + batchSize - 1) / batchSize);
  }

  /** The same student with another number of passes. */
  public StudentPlan withPasses(int newPasses) {
    return new StudentPlan(name, title, properties, newPasses);
  }
}
