package io.distillery.teacherclient.retry;

import io.distillery.teacherclient.outcome.CallAbandonedException;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.distillery.teacherclient.outcome.TeacherDeniedException;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The one retry mechanism of teacher calls: a SmallRye Fault Tolerance {@link TypedGuard} built
 * from a {@link RetryPolicy}. Outages ({@link TeacherUnavailableException}, including overload, and
 * an open circuit) are retried with exponential backoff and jitter, waiting at least as long as the
 * teacher asked ({@link RetryAfterBackoff}); rejections and denials abort at once; a caller that
 * gave up ends the retries at the next attempt.
 *
 * <p>Guards are asynchronous ({@link CompletionStage}): waiting between attempts holds no thread,
 * and a blocking caller can stop waiting at any moment (see {@link #await}).
 *
 * @param <T> what the guarded operation yields
 */
public final class Retrying<T> {

  private final String description;
  private final TypedGuard<CompletionStage<T>> guard;

  private Retrying(String description, TypedGuard<CompletionStage<T>> guard) {
    this.description = description;
    this.guard = guard;
  }

  /**
   * A guard for operations of this policy.
   *
   * @param description names the guarded operation in SmallRye's logs, e.g. {@code teacher-label}
   * @param beforeRetry told of each failure that will be retried, before the wait
   */
  public static <T> Retrying<T> with(
      String description, RetryPolicy policy, Consumer<Throwable> beforeRetry) {
    TypedGuard.Builder<CompletionStage<T>> builder =
        TypedGuard.create(new TypeLiteral<CompletionStage<T>>() {}).withDescription(description);
    long delay = policy.initialDelay().toMillis();
    TypedGuard.Builder.RetryBuilder<CompletionStage<T>> retry =
        builder
            .withRetry()
            .maxRetries(policy.maxRetries())
            // Count attempts, not time: "until given up" must not end after SmallRye's 3 minutes.
            .maxDuration(0, ChronoUnit.MILLIS)
            .delay(delay, ChronoUnit.MILLIS)
            .jitter(delay / RetryPolicy.JITTER_DIVISOR, ChronoUnit.MILLIS)
            .retryOn(List.of(TeacherUnavailableException.class, CircuitBreakerOpenException.class))
            .abortOn(
                List.of(
                    TeacherRejectedException.class,
                    TeacherDeniedException.class,
                    CallAbandonedException.class))
            .beforeRetry(beforeRetry);
    long maxDelay = policy.maxDelay().toMillis();
    builder =
        retry.withCustomBackoff().strategy(() -> new RetryAfterBackoff(maxDelay)).done().done();
    if (policy.circuitBreaker().isPresent()) {
      CircuitBreakerPolicy breaker = policy.circuitBreaker().get();
      builder =
          builder
              .withCircuitBreaker()
              .requestVolumeThreshold(breaker.requestVolumeThreshold())
              .failureRatio(breaker.failureRatio())
              .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
              .skipOn(
                  List.of(
                      TeacherRejectedException.class,
                      TeacherDeniedException.class,
                      CallAbandonedException.class))
              .done();
    }
    return new Retrying<>(description, builder.build());
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for good, the policy's retries are spent or
   * {@code givenUp} says the caller stopped waiting. Failures come as the {@link
   * TeacherCallException} of the last attempt (an open circuit as an unavailable teacher), or
   * {@link CallAbandonedException}.
   */
  public CompletableFuture<T> run(
      String rpc, Supplier<CompletionStage<T>> attempt, BooleanSupplier givenUp) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletionStage<T> guarded;
    try {
      guarded =
          guard.get(
              () ->
                  givenUp.getAsBoolean()
                      ? CompletableFuture.failedFuture(new CallAbandonedException(rpc))
                      : attempt.get());
    } catch (RuntimeException e) {
      result.completeExceptionally(translate(rpc, e));
      return result;
    }
    guarded.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(translate(rpc, unwrap(failure)));
          }
        });
    return result;
  }

  private Throwable translate(String rpc, Throwable failure) {
    if (failure instanceof CircuitBreakerOpenException open) {
      return new TeacherUnavailableException(
          rpc,
          TeacherCallException.CIRCUIT_OPEN,
          null,
          "teacher "
              + rpc
              + " not sent: circuit breaker "
              + description
              + " open after repeated failures",
          open);
    }
    if (failure instanceof StatusRuntimeException || failure instanceof StatusException) {
      return TeacherCallException.from(rpc, failure);
    }
    // Already an outcome, an abandoned call, or the caller's own failure (e.g. a checked
    // exception of work done between calls): passed on as it is.
    return failure;
  }

  /** The cause behind the wrappers of {@link CompletableFuture}. */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Waits for {@code call} on a thread that may block, but stops waiting when {@code stop}
   * completes: then throws {@link InterruptedException} (the retries end at their next attempt when
   * the caller's give-up condition holds).
   *
   * @throws ExecutionException when the call failed with a checked exception (its cause); unchecked
   *     failures ({@link TeacherCallException}, {@link CallAbandonedException}) are thrown as they
   *     are
   */
  public static <T> T await(CompletableFuture<T> call, CompletableFuture<?> stop)
      throws InterruptedException, ExecutionException {
    try {
      CompletableFuture.anyOf(call, stop).get();
    } catch (ExecutionException ignored) {
      // Reported below, from the call itself.
    }
    if (!call.isDone()) {
      throw new InterruptedException("stopped waiting for the teacher");
    }
    try {
      return call.get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new ExecutionException(cause.getMessage(), cause);
    }
  }

  /** The result of {@code call}, waiting as long as it takes; failures as {@link #await}. */
  public static <T> T join(CompletableFuture<T> call) {
    try {
      return await(call, new CompletableFuture<>());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the teacher", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Runs blocking {@code work} on {@code executor} as one attempt of a guarded operation. Its
   * failure completes the stage as it is (not wrapped), so the guard sees what to retry.
   */
  public static <T> CompletableFuture<T> onThread(Executor executor, Callable<T> work) {
    CompletableFuture<T> attempt = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            attempt.complete(work.call());
          } catch (Throwable failure) {
            attempt.completeExceptionally(failure);
          }
        });
    return attempt;
  }
}
