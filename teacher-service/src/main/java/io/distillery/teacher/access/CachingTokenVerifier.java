package io.distillery.teacher.access;

import io.distillery.teacher.config.TeacherConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.smallrye.jwt.runtime.auth.MpJwtValidator;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a {@link BearerTokenRequest} into an identity: from {@link VerifiedTokenCache} when the
 * token was verified before and has not expired, otherwise by SmallRye JWT's own verifier
 * (signature, issuer, expiry, clock skew: the {@code mp.jwt.verify.*} settings), whose verdict is
 * then remembered. Verifying an RS256 token on every call doubled the teacher's CPU per
 * single-sample request (BENCHMARKS.md, "Access control cost").
 */
@ApplicationScoped
public class CachingTokenVerifier implements IdentityProvider<BearerTokenRequest> {

  private final MpJwtValidator jwt;
  private final VerifiedTokenCache cache;
  private final Counter verified;
  private final Counter refused;

  public CachingTokenVerifier(TeacherConfig config, MpJwtValidator jwt, MeterRegistry registry) {
    this.jwt = jwt;
    AccessConfig.TokenCache settings = config.access().tokenCache();
    this.cache =
        settings.maxSize() > 0 && settings.maxAge().toNanos() > 0
            ? VerifiedTokenCache.of(settings.maxSize(), settings.maxAge())
            : null;
    this.verified = verifications(registry, "verified");
    this.refused = verifications(registry, "refused");
  }

  private static Counter verifications(MeterRegistry registry, String outcome) {
    return Counter.builder("distillery_teacher_access_token_verifications")
        .description("Bearer token signature checks (calls answered from the token cache excluded)")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public Class<BearerTokenRequest> getRequestType() {
    return BearerTokenRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      BearerTokenRequest request, AuthenticationRequestContext context) {
    String token = request.token();
    if (cache != null) {
      SecurityIdentity known = cache.get(token);
      if (known != null) {
        return Uni.createFrom().item(known);
      }
    }
    return jwt.authenticate(
            new TokenAuthenticationRequest(new JsonWebTokenCredential(token)), context)
        .onItemOrFailure()
        .invoke(
            (identity, failure) -> {
              if (failure != null || identity == null) {
                refused.increment();
                return;
              }
              verified.increment();
              if (cache != null) {
                cache.put(token, identity);
              }
            });
  }
}
