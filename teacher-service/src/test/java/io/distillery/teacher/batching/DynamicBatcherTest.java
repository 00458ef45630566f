package io.distillery.teacher.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The batching logic alone, with a runner that squares numbers and records batch sizes: plain
 * JUnit, because what is tested here is queueing and routing, not the model (the gRPC tests run the
 * real model through the same batcher).
 */
class DynamicBatcherTest {

  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

  private BatchRunner<Integer, Integer> squares(CountDownLatch gate) {
    return inputs -> {
      gate.await(10, TimeUnit.SECONDS);
      batchSizes.add(inputs.size());
      List<Integer> out = new ArrayList<>();
      for (int x : inputs) {
        out.add(x * x);
      }
      return out;
    };
  }

  @Test
  void concurrentCallersAreBatchedTogetherAndEachGetsItsOwnResult() throws Exception {
    CountDownLatch open = new CountDownLatch(0);
    try (DynamicBatcher<Integer, Integer> batcher =
            new DynamicBatcher<>(
                16, Duration.ofMillis(50), 256, 1, () -> squares(open), BatcherListener.NONE);
        var pool = new AutoClosingPool(32)) {
      List<Future<Integer>> results = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int caller = 0; caller < 32; caller++) {
        int x = caller;
        results.add(
            pool.executor.submit(
                () -> {
                  start.await();
                  return batcher.submit(List.of(x)).get(0).get(10, TimeUnit.SECONDS);
                }));
      }
      start.countDown();
      for (int caller = 0; caller < 32; caller++) {
        assertEquals(caller * caller, results.get(caller).get());
      }
    }
    assertEquals(32, batchSizes.stream().mapToInt(Integer::intValue).sum());
    assertTrue(
        batchSizes.size() < 32, "32 single-sample callers ran as " + batchSizes + ": not batched");
    assertTrue(batchSizes.stream().allMatch(size -> size <= 16), "batch over max: " + batchSizes);
  }

  @Test
  void aLoneSampleRunsAfterTheMaxDelayWithoutWaitingForAFullBatch() throws Exception {
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(
            64,
            Duration.ofMillis(5),
            64,
            1,
            () -> squares(new CountDownLatch(0)),
            BatcherListener.NONE)) {
      assertEquals(49, batcher.submit(List.of(7)).get(0).get(5, TimeUnit.SECONDS));
    }
    assertEquals(List.of(1), batchSizes);
  }

  @Test
  void aBatchAsLargeAsTheLastOneRunsWithoutWaitingOutTheMaxDelay() throws Exception {
    Duration maxDelay = Duration.ofMillis(400);
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(
            64, maxDelay, 64, 1, () -> squares(new CountDownLatch(0)), BatcherListener.NONE)) {
      // Positive control: nothing is known yet, so four samples wait the whole delay for more.
      long begin = System.nanoTime();
      batcher.submit(List.of(1, 2, 3, 4)).get(3).get(5, TimeUnit.SECONDS);
      long first = System.nanoTime() - begin;

      begin = System.nanoTime();
      assertEquals(64, batcher.submit(List.of(5, 6, 7, 8)).get(3).get(5, TimeUnit.SECONDS));
      long second = System.nanoTime() - begin;

      assertTrue(first >= maxDelay.toNanos() * 9 / 10, "first batch ran after " + first + " ns");
      assertTrue(
          second < maxDelay.toNanos() / 2,
          "four samples, as many as last time, still waited " + second / 1_000_000 + " ms");
    }
    assertEquals(List.of(4, 4), batchSizes);
  }

  @Test
  void aFullQueueRejectsAtOnceAndRecoversWhenDrained() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(4, Duration.ZERO, 8, 1, () -> squares(gate), BatcherListener.NONE)) {
      List<CompletableFuture<Integer>> held = new ArrayList<>(batcher.submit(List.of(1, 2, 3, 4)));
      held.addAll(batcher.submit(List.of(5, 6, 7, 8)));
      assertEquals(8, batcher.queueDepth());
      QueueFullException full =
          assertThrows(QueueFullException.class, () -> batcher.submit(List.of(9)));
      assertTrue(full.getMessage().contains("0 of 8 places free"), full.getMessage());

      gate.countDown();
      for (int i = 0; i < held.size(); i++) {
        assertEquals((i + 1) * (i + 1), held.get(i).get(5, TimeUnit.SECONDS));
      }
      assertEquals(81, batcher.submit(List.of(9)).get(0).get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void aFailingForwardPassFailsOnlyItsOwnCallersAndTheWorkerKeepsGoing() throws Exception {
    BatchRunner<Integer, Integer> failsOnNegative =
        inputs -> {
          if (inputs.contains(-1)) {
            throw new UnsatisfiedLinkError("simulated native failure");
          }
          return inputs;
        };
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(1, Duration.ZERO, 4, 1, () -> failsOnNegative, BatcherListener.NONE)) {
      ExecutionException failed =
          assertThrows(
              ExecutionException.class,
              () -> batcher.submit(List.of(-1)).get(0).get(5, TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof UnsatisfiedLinkError);
      assertEquals(3, batcher.submit(List.of(3)).get(0).get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void closedBatcherRefusesWork() {
    DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(
            1, Duration.ZERO, 4, 1, () -> squares(new CountDownLatch(0)), BatcherListener.NONE);
    batcher.close();
    assertThrows(BatcherClosedException.class, () -> batcher.submit(List.of(1)));
  }

  @Test
  void aRequestThatCannotBeAnsweredBeforeItsDeadlineIsRefusedAtOnce() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    BatchRunner<Integer, Integer> slow =
        inputs -> {
          Thread.sleep(10); // at least 10 ms per sample: the measured cost
          return squares(open).run(inputs);
        };
    open.countDown();
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(1, Duration.ZERO, 64, 1, () -> slow, BatcherListener.NONE)) {
      for (int i = 0; i < 3; i++) {
        batcher.submit(List.of(i)).get(0).get(5, TimeUnit.SECONDS);
      }
      List<CompletableFuture<Integer>> ahead = batcher.submit(List.of(1, 2, 3, 4, 5, 6, 7, 8));

      DeadlineUnreachableException refused =
          assertThrows(
              DeadlineUnreachableException.class,
              () -> batcher.submit(List.of(9, 10, 11, 12), Duration.ofMillis(40)));
      assertTrue(refused.getMessage().contains("deadline"), refused.getMessage());
      List<CompletableFuture<Integer>> patient =
          batcher.submit(List.of(9, 10, 11, 12), Duration.ofSeconds(30));

      assertEquals(144, patient.get(3).get(10, TimeUnit.SECONDS));
      assertEquals(64, ahead.get(7).get(10, TimeUnit.SECONDS));
    }
  }

  /**
   * The overload drill: admitted when the queue was expected to drain just within the deadline, a
   * fifth of the accepted requests answered late (the estimate is an average). Admission keeps half
   * of the caller's time in hand.
   */
  @Test
  void aRequestExpectedToNeedMostOfItsTimeIsRefusedToKeepHeadroom() throws Exception {
    BatchRunner<Integer, Integer> slow =
        inputs -> {
          Thread.sleep(10); // at least 10 ms per batch of one
          return squares(new CountDownLatch(0)).run(inputs);
        };
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(1, Duration.ZERO, 64, 1, () -> slow, BatcherListener.NONE)) {
      for (int i = 0; i < 3; i++) {
        batcher.submit(List.of(i)).get(0).get(5, TimeUnit.SECONDS);
      }
      List<CompletableFuture<Integer>> ahead = batcher.submit(List.of(1, 2, 3, 4, 5, 6, 7, 8));

      // 8 queued or running + 4: 12 batches, >= 120 ms expected, over half of 200 ms.
      assertThrows(
          DeadlineUnreachableException.class,
          () -> batcher.submit(List.of(9, 10, 11, 12), Duration.ofMillis(200)));
      assertEquals(64, ahead.get(7).get(10, TimeUnit.SECONDS));
    }
  }

  /**
   * Admission plans with the spread of the batch cycle, not only its mean: cycles alternating
   * between 1 and 39 ms average 20 ms, so 12 batches "need" 240 ms — within half of an 800 ms
   * deadline by the mean, but not once the spread counts (about 58 ms a batch, 700 ms in all).
   */
  @Test
  void aRequestIsPlannedWithTheSpreadOfTheBatchCycleNotOnlyItsMean() throws Exception {
    AtomicBoolean shortOne = new AtomicBoolean();
    BatchRunner<Integer, Integer> uneven =
        inputs -> {
          Thread.sleep(shortOne.getAndSet(!shortOne.get()) ? 1 : 39);
          return squares(new CountDownLatch(0)).run(inputs);
        };
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(1, Duration.ZERO, 64, 1, () -> uneven, BatcherListener.NONE)) {
      for (int i = 0; i < 20; i++) {
        batcher.submit(List.of(i)).get(0).get(5, TimeUnit.SECONDS);
      }
      List<CompletableFuture<Integer>> ahead = batcher.submit(List.of(1, 2, 3, 4, 5, 6, 7, 8));

      assertThrows(
          DeadlineUnreachableException.class,
          () -> batcher.submit(List.of(9, 10, 11, 12), Duration.ofMillis(800)));
      assertEquals(64, ahead.get(7).get(10, TimeUnit.SECONDS));
      List<CompletableFuture<Integer>> afterwards =
          batcher.submit(List.of(9, 10, 11, 12), Duration.ofMillis(800));
      assertEquals(144, afterwards.get(3).get(5, TimeUnit.SECONDS), "admitted once drained");
    }
  }

  /**
   * A slow first forward pass (an engine warming up) once made every later request look late: with
   * each refused, nothing ran, and the estimate was never measured again. The labeler drill found
   * it: the teacher refused a labeler with a 30 s deadline for good.
   */
  @Test
  void aSlowFirstForwardPassDoesNotMakeTheBatcherRefuseForever() throws Exception {
    AtomicBoolean first = new AtomicBoolean(true);
    BatchRunner<Integer, Integer> warmingUp =
        inputs -> {
          if (first.getAndSet(false)) {
            Thread.sleep(500);
          }
          return squares(new CountDownLatch(0)).run(inputs);
        };
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(4, Duration.ZERO, 64, 1, () -> warmingUp, BatcherListener.NONE)) {
      assertEquals(1, batcher.submit(List.of(1)).get(0).get(5, TimeUnit.SECONDS));

      for (int i = 0; i < 20; i++) {
        while (batcher.queueDepth() > 0) {
          Thread.onSpinWait(); // the last batch hands back its places just after its answers
        }
        List<CompletableFuture<Integer>> answer =
            batcher.submit(List.of(2, 3, 4, 5, 6, 7, 8, 9), Duration.ofMillis(100));
        assertEquals(81, answer.get(7).get(5, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void aSampleWhoseCallerStoppedWaitingIsDroppedInsteadOfRun() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    BatchRunner<Integer, Integer> recording =
        inputs -> {
          ran.addAll(inputs);
          return squares(open).run(inputs);
        };
    try (DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(1, Duration.ZERO, 64, 1, () -> recording, BatcherListener.NONE)) {
      CompletableFuture<Integer> first = batcher.submit(List.of(2)).get(0);
      while (ran.isEmpty()) {
        Thread.sleep(1); // the worker holds the first sample, blocked on the gate
      }
      CompletableFuture<Integer> hurried = batcher.submit(List.of(3), Duration.ofMillis(20)).get(0);
      CompletableFuture<Integer> patient =
          batcher.submit(List.of(4), Duration.ofSeconds(30)).get(0);
      Thread.sleep(100);
      open.countDown();

      assertEquals(4, first.get(5, TimeUnit.SECONDS));
      ExecutionException expired =
          assertThrows(ExecutionException.class, () -> hurried.get(5, TimeUnit.SECONDS));
      assertInstanceOf(DeadlineExpiredException.class, expired.getCause());
      assertEquals(16, patient.get(5, TimeUnit.SECONDS));
      assertEquals(List.of(2, 4), ran, "the expired sample never reached the model");
      assertEquals(0, batcher.queueDepth(), "its place was given back");
    }
  }

  /**
   * The submit/close race, made deterministic: the request's list stalls inside {@code submit}
   * (after the closed check, before its samples are queued) until {@code close()} has run as far as
   * it can. Before the fix, the workers saw an empty queue and exited, the samples were queued
   * afterwards, and their futures never completed: a caller waiting forever on a closed teacher.
   */
  @Test
  void aRequestRacingCloseIsAnsweredEitherWay() throws Exception {
    CountDownLatch insideSubmit = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    List<Integer> stalling = new StallingList(insideSubmit, resume);
    DynamicBatcher<Integer, Integer> batcher =
        new DynamicBatcher<>(
            4, Duration.ZERO, 16, 1, () -> squares(new CountDownLatch(0)), BatcherListener.NONE);
    try (var pool = new AutoClosingPool(1)) {
      Future<List<CompletableFuture<Integer>>> submitted =
          pool.executor.submit(() -> batcher.submit(stalling));
      assertTrue(insideSubmit.await(5, TimeUnit.SECONDS), "submit reached the stall");
      Thread closer = new Thread(batcher::close, "closer");
      closer.start();
      // Let close() go as far as it can: done (the race), or waiting for the request (the fix).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!EnumSet.of(Thread.State.TERMINATED, Thread.State.WAITING, Thread.State.BLOCKED)
              .contains(closer.getState())
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      resume.countDown();

      List<CompletableFuture<Integer>> futures;
      try {
        futures = submitted.get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertInstanceOf(BatcherClosedException.class, e.getCause());
        return; // refused outright: an answer
      }
      for (CompletableFuture<Integer> future : futures) {
        try {
          assertEquals(1, future.get(5, TimeUnit.SECONDS), "the queued sample was run");
        } catch (ExecutionException e) {
          assertInstanceOf(BatcherClosedException.class, e.getCause(), "or refused");
        } catch (TimeoutException e) {
          fail("a sample queued while the batcher closed was never answered");
        }
      }
      closer.join(TimeUnit.SECONDS.toMillis(35));
      assertFalse(closer.isAlive(), "close() returned");
    }
  }

  /** A one-sample request whose first {@code size()} call stalls until released. */
  private static final class StallingList extends AbstractList<Integer> {
    private final CountDownLatch inside;
    private final CountDownLatch resume;
    private final AtomicBoolean stalled = new AtomicBoolean();

    StallingList(CountDownLatch inside, CountDownLatch resume) {
      this.inside = inside;
      this.resume = resume;
    }

    @Override
    public Integer get(int index) {
      return 1;
    }

    @Override
    public int size() {
      if (stalled.compareAndSet(false, true)) {
        inside.countDown();
        try {
          resume.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return 1;
    }
  }

  @Test
  void rejectsSettingsThatCannotWork() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new DynamicBatcher<Integer, Integer>(
                    64, Duration.ZERO, 32, 1, () -> null, BatcherListener.NONE));
    assertTrue(e.getMessage().contains("queue-capacity >= max-batch-size"), e.getMessage());
  }

  /** An executor closed with the test. */
  private static final class AutoClosingPool implements AutoCloseable {
    final ExecutorService executor;

    AutoClosingPool(int threads) {
      executor = Executors.newFixedThreadPool(threads);
    }

    @Override
    public void close() {
      executor.shutdownNow();
    }
  }
}
