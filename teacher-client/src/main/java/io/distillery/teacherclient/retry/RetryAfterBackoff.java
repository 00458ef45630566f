package io.distillery.teacherclient.retry;

import io.distillery.teacherclient.outcome.TeacherCallException;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Exponential backoff (doubling from the policy's initial delay up to its maximum) that waits at
 * least as long as the teacher asked in its {@code retry-after-ms} trailer: a quota refusal says
 * when tokens are back, and asking earlier only spends another refusal (and another audit event).
 * One instance per guarded call, as SmallRye Fault Tolerance creates it.
 */
final class RetryAfterBackoff implements CustomBackoffStrategy {

  private final long maxDelayMillis;
  private long nextMillis;

  RetryAfterBackoff(long maxDelayMillis) {
    this.maxDelayMillis = maxDelayMillis;
  }

  @Override
  public void init(long initialDelayInMillis) {
    nextMillis = initialDelayInMillis;
  }

  @Override
  public long nextDelayInMillis(Throwable failure) {
    long backoff = nextMillis;
    nextMillis = Math.min(maxDelayMillis, nextMillis * 2);
    long asked =
        failure instanceof TeacherCallException call
            ? call.retryAfter().map(wait -> wait.toMillis()).orElse(0L)
            : 0L;
    return Math.max(backoff, asked);
  }
}
