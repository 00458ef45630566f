package io.distillery.labeler.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The non-blocking permit pool. Plain JUnit: pure concurrency logic, no Quarkus involved. */
class InFlightLimiterTest {

  @Test
  void handsOutAtMostItsPermitsAndServesWaitersInOrder() {
    InFlightLimiter limiter = new InFlightLimiter(2);
    assertTrue(limiter.acquire().toCompletableFuture().isDone());
    assertTrue(limiter.acquire().toCompletableFuture().isDone());
    CompletableFuture<Void> third = limiter.acquire().toCompletableFuture();
    CompletableFuture<Void> fourth = limiter.acquire().toCompletableFuture();

    assertFalse(third.isDone());
    assertEquals(2, limiter.inUse());
    assertEquals(2, limiter.waiting());

    limiter.release();
    assertTrue(third.isDone());
    assertFalse(fourth.isDone(), "first come, first served");
    limiter.release();
    assertTrue(fourth.isDone());
    limiter.release();
    limiter.release();
    assertEquals(0, limiter.inUse());
  }

  @Test
  void aReleaseWithoutAcquireIsABug() {
    InFlightLimiter limiter = new InFlightLimiter(1);

    assertThrows(IllegalStateException.class, limiter::release);
  }
}
