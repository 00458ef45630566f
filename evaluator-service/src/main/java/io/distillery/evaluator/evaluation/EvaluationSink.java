package io.distillery.evaluator.evaluation;

import io.distillery.proto.v1.EvaluationEvent;

/** Where evaluations go. */
public interface EvaluationSink {

  /**
   * Sends one evaluation, keyed by its job id, and waits until the broker acknowledged it.
   *
   * @throws PublishFailedException when it could not be written (after the producer's own retries)
   */
  void publish(EvaluationEvent event);
}
