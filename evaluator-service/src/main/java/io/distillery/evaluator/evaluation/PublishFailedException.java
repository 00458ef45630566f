package io.distillery.evaluator.evaluation;

/**
 * An evaluation could not be written to Kafka (after the producer's own retries). Unlike a bad
 * checkpoint, this must stop the channel uncommitted, so that a restart publishes it again.
 */
public class PublishFailedException extends RuntimeException {

  public PublishFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
