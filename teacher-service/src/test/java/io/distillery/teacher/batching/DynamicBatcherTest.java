package io.distillery.teacher.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
