package io.distillery.trainer.job;

/**
 * The optimizer a job trains with. Configured as {@code adam} or {@code sgd}; SmallRye Config maps
 * the kebab-case value and names the key when it is neither.
 */
public enum OptimizerKind {
  /** Adam with a constant learning rate; its state is checkpointed. */
  ADAM,
  /** Plain stochastic gradient descent; stateless. */
  SGD
}
