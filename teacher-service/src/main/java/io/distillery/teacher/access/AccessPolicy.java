package io.distillery.teacher.access;

import io.grpc.Status;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Decides whether an authenticated client may make a call: its role, its top-k cap, its quota (one
 * token bucket of samples per client). Pure logic apart from the clock.
 */
public final class AccessPolicy {

  private final AccessConfig config;
  private final LongSupplier nanoClock;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public AccessPolicy(AccessConfig config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
  }

  /** The decision for a client holding {@code roles}. */
  public Decision decide(String client, Set<String> roles, AccessRequest request) {
    if (!roles.contains(request.role().claim())) {
      return Decision.refuse(
          client,
          Status.Code.PERMISSION_DENIED,
          "role",
          String.format(
              Locale.ROOT,
              "client '%s' lacks the role '%s' that %s needs (it has %s)",
              client,
              request.role().claim(),
              request.rpc(),
              roles));
    }
    int maxTopK = maxTopK(client);
    if (request.topK() > maxTopK) {
      return Decision.refuse(
          client,
          Status.Code.PERMISSION_DENIED,
          "top-k",
          String.format(
              Locale.ROOT,
              "client '%s' may ask for top-k of at most %d, asked for %d",
              client,
              maxTopK,
              request.topK()));
    }
    if (request.samples() == 0) {
      return Decision.allow(client, "allowed");
    }
    TokenBucket bucket = bucket(client);
    if (bucket == null) {
      return Decision.allow(client, "allowed");
    }
    if (request.samples() > bucket.capacity()) {
      // Waiting would never help (the bucket cannot hold this many), so not RESOURCE_EXHAUSTED,
      // which clients retry: like the top-k cap, it exceeds what the client is entitled to.
      return Decision.refuse(
          client,
          Status.Code.PERMISSION_DENIED,
          "burst",
          String.format(
              Locale.ROOT,
              "client '%s' may send at most %d samples at once, sent %d; split the request",
              client,
              bucket.capacity(),
              request.samples()));
    }
    Duration wait = bucket.tryTake(request.samples(), nanoClock.getAsLong());
    if (wait.isZero()) {
      return Decision.allow(client, "allowed");
    }
    return Decision.exhausted(
        client,
        "quota",
        String.format(
            Locale.ROOT,
            "client '%s' is over its quota of %d samples per minute; retry after %.3f s",
            client,
            limit(client, Limit.RATE),
            wait.toNanos() / 1e9),
        wait);
  }

  private int maxTopK(String client) {
    AccessConfig.Limits own = config.clients().get(client);
    if (own != null && own.maxTopK().isPresent()) {
      return own.maxTopK().getAsInt();
    }
    return config.defaults().maxTopK().orElse(Integer.MAX_VALUE);
  }

  private enum Limit {
    RATE,
    BURST
  }

  private long limit(String client, Limit which) {
    AccessConfig.Limits own = config.clients().get(client);
    AccessConfig.Limits fallback = config.defaults();
    if (which == Limit.RATE) {
      if (own != null && own.samplesPerMinute().isPresent()) {
        return own.samplesPerMinute().getAsLong();
      }
      return fallback.samplesPerMinute().orElse(0);
    }
    if (own != null && own.burst().isPresent()) {
      return own.burst().getAsLong();
    }
    return fallback.burst().orElse(limit(client, Limit.RATE));
  }

  /** The client's bucket, or null when it has no quota. */
  private TokenBucket bucket(String client) {
    long rate = limit(client, Limit.RATE);
    if (rate <= 0) {
      return null;
    }
    return buckets.computeIfAbsent(
        client, c -> new TokenBucket(rate, limit(c, Limit.BURST), nanoClock.getAsLong()));
  }
}
