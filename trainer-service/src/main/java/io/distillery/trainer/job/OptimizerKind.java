package io.distillery.trainer.job;

import java.util.Locale;

/** The optimizer a job trains with. */
public enum OptimizerKind {
  /** Adam with a constant learning rate; its state is checkpointed. */
  ADAM,
  /** Plain stochastic gradient descent; stateless. */
  SGD;

  /**
   * Parses {@code adam} or {@code sgd}.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static OptimizerKind fromName(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (wanted) {
      case "adam" -> ADAM;
      case "sgd" -> SGD;
      default ->
          throw new IllegalArgumentException(
              "distillery.trainer.optimizer must be adam or sgd, got '" + name + "'");
    };
  }
}
