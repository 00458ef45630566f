package io.distillery.teacher.batching;

import java.util.List;

/**
 * Runs one forward pass over a batch. Each batcher worker owns its own runner, because DJL
 * predictors are not thread-safe.
 *
 * @param <I> one sample's input
 * @param <O> one sample's output
 */
public interface BatchRunner<I, O> extends AutoCloseable {

  /** Returns one output per input, in the same order. */
  List<O> run(List<I> inputs) throws Exception;

  @Override
  default void close() {}
}
