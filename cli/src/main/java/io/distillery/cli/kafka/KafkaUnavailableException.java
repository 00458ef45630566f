package io.distillery.cli.kafka;

/**
 * The Kafka cluster could not be reached or lacks what a command needs; the message is one line a
 * user can act on.
 */
public final class KafkaUnavailableException extends RuntimeException {

  public KafkaUnavailableException(String message) {
    super(message);
  }

  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
