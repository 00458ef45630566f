package io.distillery.teacher.batching;

/** The batcher is shutting down and takes no more work. */
public final class BatcherClosedException extends RuntimeException {

  public BatcherClosedException() {
    super("teacher is shutting down and accepts no more samples");
  }
}
