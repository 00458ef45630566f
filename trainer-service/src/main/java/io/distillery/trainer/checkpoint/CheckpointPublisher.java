package io.distillery.trainer.checkpoint;

import io.distillery.proto.v1.CheckpointEvent;

/** Announces a written checkpoint (on Kafka: {@code distill.checkpoints}, key = job id). */
@FunctionalInterface
public interface CheckpointPublisher {

  /**
   * Publishes the event and returns once the broker acknowledged it.
   *
   * @throws Exception when it could not be delivered
   */
  void publish(CheckpointEvent event) throws Exception;
}
