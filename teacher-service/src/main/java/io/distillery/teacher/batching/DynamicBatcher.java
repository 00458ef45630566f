package io.distillery.teacher.batching;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Dynamic batching: samples from many callers wait in one bounded queue; each worker takes up to
 * {@code maxBatchSize} of them, or whatever arrived within {@code maxDelay} of the first — stopping
 * earlier once it holds as many as its last batch — and runs one forward pass. A full queue rejects
 * new work at once ({@link QueueFullException}) so memory stays bounded under overload.
 *
 * <p>Callers that say when they need their answer are admitted only if the queue ahead of them is
 * expected to drain in time ({@link DeadlineUnreachableException}, from the measured cost of a
 * batch), and samples whose caller's deadline passed while they waited are dropped instead of run
 * ({@link DeadlineExpiredException}): under overload the excess is refused at once and the work
 * done is work someone still waits for.
 *
 * @param <I> one sample's input
 * @param <O> one sample's output
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);
  // A caller is admitted only if the queue ahead is expected to drain within this share of its
  // time left: the estimate is an average (half the batches take longer), and the answer must
  // still be handed out, serialized and sent back before the caller's deadline. At 1.0 a fifth of
  // the accepted requests in the overload drill answered after their deadline.
  static final double ADMISSION_SHARE = 0.5;

  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final int capacity;
  private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
  // Counts free places; a request takes all of its places or none.
  private final Semaphore places;
  private final BatcherListener listener;
  private final List<Thread> workers = new ArrayList<>();
  private final BatchCost cost = new BatchCost();
  // Submitters hold the read lock from the closed check until their samples are queued; close()
  // takes the write lock, so no sample can be queued after the workers decided to stop.
  private final ReadWriteLock admission = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /**
   * Starts {@code workers} threads, each with a runner from {@code runnerFactory}.
   *
   * @param maxBatchSize largest forward pass, at least 1
   * @param maxDelay longest the first sample of a batch waits for more; zero runs at once
   * @param capacity samples that may wait at once, at least {@code maxBatchSize}
   */
  public DynamicBatcher(
      int maxBatchSize,
      Duration maxDelay,
      int capacity,
      int workers,
      Supplier<? extends BatchRunner<I, O>> runnerFactory,
      BatcherListener listener) {
    if (maxBatchSize < 1 || capacity < maxBatchSize || workers < 1) {
      throw new IllegalArgumentException(
          "need max-batch-size >= 1, queue-capacity >= max-batch-size and workers >= 1; got "
              + maxBatchSize
              + ", "
              + capacity
              + ", "
              + workers);
    }
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxDelay.toNanos();
    this.capacity = capacity;
    this.places = new Semaphore(capacity);
    this.listener = listener;
    for (int i = 0; i < workers; i++) {
      BatchRunner<I, O> runner = runnerFactory.get();
      Thread thread = new Thread(() -> work(runner), "teacher-batcher-" + i);
      thread.setDaemon(true);
      this.workers.add(thread);
      thread.start();
    }
  }

  /**
   * Queues the samples of one request that has no deadline.
   *
   * @return one future per input, completed with its output or the forward pass's failure
   * @throws QueueFullException when fewer than {@code inputs.size()} places are free
   * @throws BatcherClosedException after {@link #close()}
   */
  public List<CompletableFuture<O>> submit(List<I> inputs) {
    return enqueue(inputs, false, 0L);
  }

  /**
   * Queues the samples of one request whose caller needs the answer within {@code timeLeft}.
   *
   * @return one future per input; a sample still waiting when the deadline passes fails with {@link
   *     DeadlineExpiredException} without being run
   * @throws DeadlineUnreachableException when the samples ahead (and its own) are expected to take
   *     more than half of {@code timeLeft}
   * @throws QueueFullException when fewer than {@code inputs.size()} places are free
   * @throws BatcherClosedException after {@link #close()}
   */
  public List<CompletableFuture<O>> submit(List<I> inputs, Duration timeLeft) {
    long now = System.nanoTime();
    long expectedWait = expectedWaitNanos(inputs.size());
    if (expectedWait > timeLeft.toNanos() * ADMISSION_SHARE) {
      throw new DeadlineUnreachableException(
          inputs.size(), queueDepth(), Duration.ofNanos(expectedWait), timeLeft);
    }
    return enqueue(inputs, true, now + timeLeft.toNanos());
  }

  private List<CompletableFuture<O>> enqueue(
      List<I> inputs, boolean hasDeadline, long deadlineNanos) {
    admission.readLock().lock();
    try {
      if (closed) {
        throw new BatcherClosedException();
      }
      if (!places.tryAcquire(inputs.size())) {
        throw new QueueFullException(inputs.size(), places.availablePermits(), capacity);
      }
      List<CompletableFuture<O>> futures = new ArrayList<>(inputs.size());
      long now = System.nanoTime();
      for (I input : inputs) {
        Pending<I, O> pending =
            new Pending<>(input, new CompletableFuture<>(), now, hasDeadline, deadlineNanos);
        futures.add(pending.result);
        queue.add(pending);
      }
      return futures;
    } finally {
      admission.readLock().unlock();
    }
  }

  /**
   * How long a request of {@code samples} would take if queued now: the batches it and the samples
   * ahead of it fill, at the measured cost of a batch's cycle (with its spread). Zero while nothing
   * is queued, so that a lone request is always tried and a bad estimate (a slow first forward
   * pass) is measured again instead of refusing everything from then on.
   */
  public long expectedWaitNanos(int samples) {
    int queued = queueDepth();
    double perBatch = cost.nanosPerBatch();
    if (queued == 0 || perBatch <= 0) {
      return 0;
    }
    long batches = (queued + samples + maxBatchSize - 1) / maxBatchSize;
    return (long) (batches * perBatch / workers.size()) + maxDelayNanos;
  }

  /** Samples waiting for a forward pass. */
  public int queueDepth() {
    return capacity - places.availablePermits();
  }

  /** The queue's capacity in samples. */
  public int capacity() {
    return capacity;
  }

  private void work(BatchRunner<I, O> runner) {
    try (runner) {
      List<Pending<I, O>> batch = new ArrayList<>(maxBatchSize);
      long previousEnd = System.nanoTime();
      // Size of the last batch: once that many samples are in, waiting longer rarely adds more
      // (closed-loop callers are all in) and only adds latency; see fill().
      int expected = maxBatchSize;
      while (!closed || !queue.isEmpty()) {
        Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        // Under a backlog the queue drains at one batch per cycle of this loop, not per forward
        // pass: the cycle (copying inputs, handing out results, waiting for a CPU) is the cost.
        boolean backlog = first.enqueuedNanos - previousEnd < 0;
        batch.add(first);
        fill(batch, first.enqueuedNanos + maxDelayNanos, expected);
        long start = backlog ? previousEnd : System.nanoTime();
        int taken = batch.size();
        expected = taken;
        dropExpired(batch);
        if (!batch.isEmpty()) {
          run(runner, batch);
          previousEnd = System.nanoTime();
          cost.record(previousEnd - start);
        } else {
          previousEnd = System.nanoTime();
        }
        places.release(taken);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      failRemaining();
    }
  }

  /**
   * Adds what is queued, then waits for more until the batch is full, or holds {@code expected}
   * samples (as many as the last batch: with 32 closed-loop callers, all of them), or the max delay
   * since the first sample passed. Waiting for a full batch when the callers are all in left the
   * model idle for the whole max delay of every cycle.
   */
  private void fill(List<Pending<I, O>> batch, long deadline, int expected)
      throws InterruptedException {
    queue.drainTo(batch, maxBatchSize - batch.size());
    while (batch.size() < Math.min(maxBatchSize, expected)) {
      long wait = deadline - System.nanoTime();
      if (wait <= 0) {
        return;
      }
      Pending<I, O> next = queue.poll(wait, TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      batch.add(next);
      queue.drainTo(batch, maxBatchSize - batch.size());
    }
  }

  /** Fails, without running them, the samples whose callers have stopped waiting. */
  private void dropExpired(List<Pending<I, O>> batch) {
    long now = System.nanoTime();
    batch.removeIf(
        pending -> {
          if (pending.hasDeadline && now - pending.deadlineNanos >= 0) {
            pending.result.completeExceptionally(new DeadlineExpiredException());
            return true;
          }
          return false;
        });
  }

  private void run(BatchRunner<I, O> runner, List<Pending<I, O>> batch) {
    List<I> inputs = new ArrayList<>(batch.size());
    for (Pending<I, O> pending : batch) {
      inputs.add(pending.input);
    }
    long start = System.nanoTime();
    try {
      List<O> outputs = runner.run(inputs);
      if (outputs.size() != batch.size()) {
        throw new IllegalStateException(
            "forward pass returned " + outputs.size() + " outputs for " + batch.size() + " inputs");
      }
      listener.batchRun(batch.size(), System.nanoTime() - start);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result.complete(outputs.get(i));
      }
    } catch (Exception | Error e) {
      // An Error from native code (e.g. an engine's missing library) must fail the callers,
      // not kill the worker silently and leave them waiting forever.
      LOG.errorf(e, "forward pass over %d samples failed", batch.size());
      listener.batchFailed(batch.size(), e);
      for (Pending<I, O> pending : batch) {
        pending.result.completeExceptionally(e);
      }
    }
  }

  private void failRemaining() {
    Pending<I, O> pending;
    while ((pending = queue.poll()) != null) {
      places.release();
      pending.result.completeExceptionally(new BatcherClosedException());
    }
  }

  /** Stops taking work, finishes what is queued, and closes every worker's runner. */
  @Override
  public void close() {
    admission.writeLock().lock();
    try {
      closed = true;
    } finally {
      admission.writeLock().unlock();
    }
    for (Thread worker : workers) {
      try {
        worker.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private record Pending<I, O>(
      I input,
      CompletableFuture<O> result,
      long enqueuedNanos,
      boolean hasDeadline,
      long deadlineNanos) {}

  /**
   * Nanoseconds of a batch's cycle: moving averages of the cycle and of its deviation over recent
   * batches. Admission plans with the mean plus twice the deviation: on a shared machine cycles
   * vary, and planning with the mean alone admitted requests whose batches then ran long.
   */
  private static final class BatchCost {
    private static final double WEIGHT = 0.2;
    private static final double DEVIATIONS = 2;
    private double mean;
    private double deviation;

    synchronized void record(long nanos) {
      if (mean == 0) {
        mean = nanos;
        return;
      }
      deviation = (1 - WEIGHT) * deviation + WEIGHT * Math.abs(nanos - mean);
      mean = (1 - WEIGHT) * mean + WEIGHT * nanos;
    }

    synchronized double nanosPerBatch() {
      return mean == 0 ? 0 : mean + DEVIATIONS * deviation;
    }
  }
}
