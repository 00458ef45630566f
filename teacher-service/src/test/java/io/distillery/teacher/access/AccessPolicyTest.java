package io.distillery.teacher.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The policy on a hand-driven clock: the bucket refills at its rate and never past its size. */
class AccessPolicyTest {

  private static AccessConfig.Limits limits(long perMinute, long burst, int maxTopK) {
    return new AccessConfig.Limits() {
      @Override
      public OptionalLong samplesPerMinute() {
        return perMinute > 0 ? OptionalLong.of(perMinute) : OptionalLong.empty();
      }

      @Override
      public OptionalLong burst() {
        return burst > 0 ? OptionalLong.of(burst) : OptionalLong.empty();
      }

      @Override
      public OptionalInt maxTopK() {
        return maxTopK > 0 ? OptionalInt.of(maxTopK) : OptionalInt.empty();
      }

      @Override
      public Optional<Boolean> watermark() {
        return Optional.empty();
      }
    };
  }

  private static AccessConfig config(
      AccessConfig.Limits defaults, Map<String, AccessConfig.Limits> clients) {
    return new AccessConfig() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public Audit audit() {
        throw new UnsupportedOperationException("the policy does not audit");
      }

      @Override
      public TokenCache tokenCache() {
        throw new UnsupportedOperationException("the policy sees identities, not tokens");
      }

      @Override
      public Limits defaults() {
        return defaults;
      }

      @Override
      public Map<String, Limits> clients() {
        return clients;
      }
    };
  }

  private static AccessRequest label(int samples, int k) {
    return new AccessRequest("label", Role.LABEL, samples, k);
  }

  @Test
  void theBucketRefillsAtItsRateUpToItsSize() {
    AtomicLong now = new AtomicLong(0);
    AccessPolicy policy =
        new AccessPolicy(config(limits(60, 0, 0), Map.of("burst", limits(0, 120, 0))), now::get);
    Set<String> roles = Set.of("label");
    // 60 per minute, bucket of 60: one a second.
    assertTrue(policy.decide("a", roles, label(60, 1)).allowed());
    Decision over = policy.decide("a", roles, label(1, 1));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, over.code());
    assertEquals(Optional.of(Duration.ofSeconds(1)), over.retryAfter());
    now.addAndGet(Duration.ofMillis(2_500).toNanos());
    assertTrue(policy.decide("a", roles, label(2, 1)).allowed());
    assertEquals("quota", policy.decide("a", roles, label(1, 1)).reason());
    // An hour later the bucket holds its size, not an hour's worth.
    now.addAndGet(Duration.ofHours(1).toNanos());
    assertEquals("burst", policy.decide("a", roles, label(61, 1)).reason());
    assertTrue(policy.decide("a", roles, label(60, 1)).allowed());
    // Another client has its own bucket, with its own burst and the default rate.
    assertTrue(policy.decide("burst", roles, label(120, 1)).allowed());
    assertEquals(
        Optional.of(Duration.ofSeconds(1)),
        policy.decide("burst", roles, label(1, 1)).retryAfter());
  }

  @Test
  void withoutLimitsOnlyTheRoleIsChecked() {
    AccessPolicy policy = new AccessPolicy(config(limits(0, 0, 0), Map.of()), () -> 0L);
    assertTrue(policy.decide("a", Set.of("label"), label(100_000, 1_000)).allowed());
    assertEquals(
        Status.Code.PERMISSION_DENIED, policy.decide("a", Set.of("describe"), label(1, 1)).code());
  }
}
