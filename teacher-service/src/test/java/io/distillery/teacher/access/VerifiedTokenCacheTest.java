package io.distillery.teacher.access;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/**
 * The token cache on hand-driven clocks: a token is served until its expiry or max age, no longer.
 */
class VerifiedTokenCacheTest {

  private static final long START_MILLIS = 1_800_000_000_000L;

  private final AtomicLong nanos = new AtomicLong(5_000);
  private final AtomicLong millis = new AtomicLong(START_MILLIS);

  private VerifiedTokenCache cache(int maxSize, Duration maxAge) {
    return new VerifiedTokenCache(maxSize, maxAge, nanos::get, millis::get);
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    millis.addAndGet(d.toMillis());
  }

  /** An identity whose principal is a JWT expiring {@code expiresIn} after the start. */
  private static SecurityIdentity identity(String client, Duration expiresIn) {
    long exp = TimeUnit.MILLISECONDS.toSeconds(START_MILLIS + expiresIn.toMillis());
    JsonWebToken jwt =
        new JsonWebToken() {
          @Override
          public String getName() {
            return client;
          }

          @Override
          public Set<String> getClaimNames() {
            return Set.of(Claims.exp.name());
          }

          @Override
          @SuppressWarnings("unchecked")
          public <T> T getClaim(String name) {
            return Claims.exp.name().equals(name) ? (T) Long.valueOf(exp) : null;
          }
        };
    return QuarkusSecurityIdentity.builder().setPrincipal(jwt).addRole("label").build();
  }

  @Test
  void aTokenIsServedUntilItsOwnExpiryAndNotAfter() {
    VerifiedTokenCache cache = cache(16, Duration.ofHours(1));
    SecurityIdentity labeler = identity("labeler", Duration.ofSeconds(30));
    cache.put("token-a", labeler);
    assertSame(labeler, cache.get("token-a"));
    advance(Duration.ofSeconds(29));
    assertSame(labeler, cache.get("token-a"));
    advance(Duration.ofSeconds(1));
    assertNull(cache.get("token-a"), "served at its exp");
    assertNull(cache.get("token-b"), "a token never verified");
  }

  @Test
  void maxAgeBoundsALongLivedToken() {
    VerifiedTokenCache cache = cache(16, Duration.ofMinutes(5));
    cache.put("token-a", identity("labeler", Duration.ofDays(30)));
    advance(Duration.ofMinutes(5).minusSeconds(1));
    assertTrue(cache.get("token-a") != null);
    advance(Duration.ofSeconds(1));
    assertNull(cache.get("token-a"), "trusted past max-age");
  }

  @Test
  void aTokenAlreadyPastItsExpiryIsNotKept() {
    VerifiedTokenCache cache = cache(16, Duration.ofHours(1));
    // Accepted by the verifier inside its clock skew, but past exp: verify it again next time.
    cache.put("late", identity("labeler", Duration.ofSeconds(-10)));
    assertNull(cache.get("late"));
    SecurityIdentity noJwt = QuarkusSecurityIdentity.builder().setPrincipal(() -> "x").build();
    cache.put("no-exp", noJwt);
    assertNull(cache.get("no-exp"), "a principal without exp is never cached");
  }

  @Test
  void theCacheIsBounded() {
    VerifiedTokenCache cache = cache(10, Duration.ofHours(1));
    for (int i = 0; i < 200; i++) {
      cache.put("token-" + i, identity("client-" + i, Duration.ofMinutes(10)));
    }
    long size = cache.size();
    assertTrue(size <= 10, "size " + size);
    assertTrue(size > 0, "it still holds the latest tokens");
  }

  @Test
  void aCacheWithoutRoomOrAgeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> cache(0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> cache(10, Duration.ZERO));
  }
}
