package io.distillery.teacher.batching;

/**
 * Observes the batcher, for metrics. All methods are called on batcher threads; keep them cheap.
 */
public interface BatcherListener {

  /** A forward pass of {@code size} samples took {@code nanos}. */
  void batchRun(int size, long nanos);

  /** A forward pass failed. */
  void batchFailed(int size, Throwable cause);

  /** Listener that ignores everything. */
  BatcherListener NONE =
      new BatcherListener() {
        @Override
        public void batchRun(int size, long nanos) {}

        @Override
        public void batchFailed(int size, Throwable cause) {}
      };
}
