package io.distillery.trainer.labels;

import java.time.Duration;
import java.util.Map;

/**
 * The soft-label log as the training loop reads it: offset ranges per partition, in order, decoded.
 * Implemented on Kafka by {@link KafkaLabelFeed}; tests use an in-memory log. Partitions are
 * numbers of the job's one topic. Called from a single (training) thread.
 */
public interface LabelFeed extends AutoCloseable {

  /** The first offset of every partition (the log's start, after retention). */
  Map<Integer, Long> beginningOffsets();

  /** The offset after the last record of every partition (the log's end now). */
  Map<Integer, Long> endOffsets();

  /**
   * Starts reading every partition from {@code from} (inclusive) to {@code until} (exclusive);
   * whatever the previous range left unread is dropped.
   */
  void start(Map<Integer, Long> from, Map<Integer, Long> until);

  /**
   * The next item of the range, in offset order per partition, or null if none arrived within
   * {@code timeout}. After the last record comes one {@link FeedItem.EndOfRange}.
   */
  FeedItem poll(Duration timeout) throws InterruptedException;

  /**
   * Records that everything before {@code positions} is accounted for by a checkpoint: committed to
   * the job's consumer group so lag tools see the job's progress. Informational only — a job
   * resumes from its checkpoint, never from committed offsets.
   */
  void commit(Map<Integer, Long> positions, String note);

  /** Records behind the log's end over all partitions, when known (-1 when not). */
  long lag();

  @Override
  void close();
}
