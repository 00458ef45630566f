package io.distillery.labeler.labeling;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A non-blocking counting semaphore: {@link #acquire()} completes when a permit is free, first come
 * first served. Nothing ever blocks a thread, so it is safe on event loops.
 */
final class InFlightLimiter {

  private final int permits;
  private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private int available;

  InFlightLimiter(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be >= 1, was " + permits);
    }
    this.permits = permits;
    this.available = permits;
  }

  /** Completes once the caller holds a permit; the caller must {@link #release()} it. */
  CompletionStage<Void> acquire() {
    synchronized (this) {
      if (available > 0) {
        available--;
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> turn = new CompletableFuture<>();
      waiting.add(turn);
      return turn;
    }
  }

  /** Returns a permit, handing it to the longest waiter if there is one. */
  void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        if (available == permits) {
          throw new IllegalStateException("release() without a matching acquire()");
        }
        available++;
      }
    }
    if (next != null) {
      next.complete(null);
    }
  }

  /** Permits currently held. */
  synchronized int inUse() {
    return permits - available;
  }

  /** Callers waiting for a permit. */
  synchronized int waiting() {
    return waiting.size();
  }
}
