package io.distillery.teacher.access;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Who may call the teacher and how much, under {@code distillery.teacher.access}. Identities come
 * from bearer JWTs (verified by SmallRye JWT with the {@code mp.jwt.verify.*} keys); roles from the
 * token's {@code groups} claim; limits from here, per client id (the token's {@code upn}, {@code
 * preferred_username} or {@code sub}).
 */
public interface AccessConfig {

  /**
   * Require a valid bearer token with the RPC's role on every call. {@code false} (the default)
   * serves anyone: for local use only, and the service says so with a WARN at start-up.
   */
  @WithDefault("false")
  boolean enabled();

  /** The audit log of access decisions. */
  Audit audit();

  /** Verified bearer tokens kept, so a client's token is checked once rather than on every call. */
  TokenCache tokenCache();

  /** Limits of clients not listed under {@code clients}. */
  Limits defaults();

  /** Limits per client id; an unset value falls back to {@code defaults}. */
  Map<String, Limits> clients();

  /** A client's quota and top-k cap. */
  interface Limits {

    /** Samples the client may label per minute (the refill rate of its token bucket). */
    OptionalLong samplesPerMinute();

    /**
     * Samples the client may send at once (the bucket's size); defaults to one minute's worth. A
     * larger request is refused with {@code PERMISSION_DENIED}: set it at least to the client's
     * request size.
     */
    OptionalLong burst();

    /** Largest top-k the client may ask for. */
    OptionalInt maxTopK();

    /**
     * Mark the client's soft labels with the owner's keyed watermark ({@code
     * distillery.teacher.watermark.*}), so that a model distilled from them can be recognised later
     * ({@code distillery detect}). Classifiers only.
     */
    Optional<Boolean> watermark();
  }

  /** Where every access decision is written, as a protobuf {@code AuditEvent}. */
  interface Audit {

    /** Write every decision (allowed, refused, open) to the audit topic. */
    @WithDefault("false")
    boolean enabled();

    /** The audit topic; keep it forever ({@code retention.ms=-1}). Key: the client id. */
    @WithDefault("distill.audit")
    String topic();

    /** Kafka brokers of the audit topic. */
    @WithDefault("${kafka.bootstrap.servers:localhost:9092}")
    String bootstrapServers();
  }

  /**
   * A token is trusted from the cache until its own {@code exp} or {@code max-age}, whichever comes
   * first; then it is verified again (an expired token is refused exactly as without the cache).
   */
  interface TokenCache {

    /** Most tokens kept (least useful evicted first); 0 turns the cache off: verify every call. */
    @WithDefault("1024")
    int maxSize();

    /**
     * Longest a token is trusted without a new signature check, however late it expires: bounds how
     * long a token keeps working after its signing key was withdrawn from the verifier.
     */
    @WithDefault("PT5M")
    Duration maxAge();
  }
}
