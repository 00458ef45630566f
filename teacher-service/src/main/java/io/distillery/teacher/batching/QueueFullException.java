package io.distillery.teacher.batching;

/** The batcher's queue cannot take a request now; the caller should back off and retry. */
public final class QueueFullException extends RuntimeException {

  public QueueFullException(int requested, int free, int capacity) {
    super(
        "teacher queue is full: "
            + requested
            + " samples requested, "
            + free
            + " of "
            + capacity
            + " places free; retry with backoff");
  }
}
