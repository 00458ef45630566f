package io.distillery.teacher.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.quarkus.security.identity.SecurityIdentity;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Identities of bearer tokens already verified, keyed by the raw token, so that a client's token
 * costs one signature check rather than one per call. An entry lives until the token's own expiry
 * ({@code exp}) or {@code maxAge}, whichever comes first; after that the token is verified again
 * and an expired one is refused as if it had never been seen. Bounded to {@code maxSize} tokens.
 * Only tokens that passed verification are ever stored.
 */
public final class VerifiedTokenCache {

  private final Cache<String, SecurityIdentity> identities;
  private final long maxAgeNanos;
  private final LongSupplier wallClockMillis;

  /**
   * @param ticker Caffeine's clock for ages (nanoseconds)
   * @param wallClockMillis the clock a token's {@code exp} is compared with
   */
  public VerifiedTokenCache(
      int maxSize, Duration maxAge, Ticker ticker, LongSupplier wallClockMillis) {
    if (maxSize <= 0 || maxAge.isZero() || maxAge.isNegative()) {
      throw new IllegalArgumentException("an enabled token cache needs a size and an age > 0");
    }
    this.maxAgeNanos = maxAge.toNanos();
    this.wallClockMillis = wallClockMillis;
    this.identities =
        Caffeine.newBuilder()
            .maximumSize(maxSize)
            .ticker(ticker)
            .expireAfter(new UntilTokenExpiry())
            .build();
  }

  /** The production cache: system clocks. */
  public static VerifiedTokenCache of(int maxSize, Duration maxAge) {
    return new VerifiedTokenCache(
        maxSize, maxAge, Ticker.systemTicker(), System::currentTimeMillis);
  }

  /** The identity of a token verified earlier and not yet expired, or null. */
  public SecurityIdentity get(String token) {
    return identities.getIfPresent(token);
  }

  /**
   * Remembers a token that has just passed verification. A token without an {@code exp}, or one
   * already past it (accepted inside the verifier's clock skew), is not kept.
   */
  public void put(String token, SecurityIdentity identity) {
    if (remainingNanos(identity) > 0) {
      identities.put(token, identity);
    }
  }

  /** Tokens held now (for tests and metrics). */
  public long size() {
    identities.cleanUp();
    return identities.estimatedSize();
  }

  private long remainingNanos(SecurityIdentity identity) {
    if (!(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getExpirationTime() <= 0) {
      return 0;
    }
    long remainingMillis = jwt.getExpirationTime() * 1000 - wallClockMillis.getAsLong();
    return remainingMillis <= 0 ? 0 : Math.min(maxAgeNanos, remainingMillis * 1_000_000);
  }

  private final class UntilTokenExpiry implements Expiry<String, SecurityIdentity> {

    @Override
    public long expireAfterCreate(String token, SecurityIdentity identity, long now) {
      return remainingNanos(identity);
    }

    @Override
    public long expireAfterUpdate(
        String token, SecurityIdentity identity, long now, long currentDuration) {
      return remainingNanos(identity);
    }

    @Override
    public long expireAfterRead(
        String token, SecurityIdentity identity, long now, long currentDuration) {
      return currentDuration;
    }
  }
}
