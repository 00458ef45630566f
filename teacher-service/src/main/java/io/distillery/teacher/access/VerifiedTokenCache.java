package io.distillery.teacher.access;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.smallrye.jwt.runtime.auth.MpJwtValidator;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies each distinct bearer token once: SmallRye JWT checks signature, issuer and expiry on a
 * miss, and the identity is reused for the same token string until the token's {@code exp}.
 * Verifying an RS256 token costs tens of microseconds of CPU — as much as a small request's whole
 * server-side path — and clients send the same token on every call. Runs before SmallRye JWT's own
 * provider (higher priority) and delegates to it.
 */
@ApplicationScoped
public class VerifiedTokenCache implements IdentityProvider<TokenAuthenticationRequest> {

  /** Distinct tokens kept; beyond it the cache starts over (tokens are few: one per client). */
  static final int MAX_TOKENS = 10_000;

  private record Verified(SecurityIdentity identity, long expiresAtMs) {}

  private final MpJwtValidator jwt;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  public VerifiedTokenCache(MpJwtValidator jwt) {
    this.jwt = jwt;
  }

  @Override
  public Class<TokenAuthenticationRequest> getRequestType() {
    return TokenAuthenticationRequest.class;
  }

  @Override
  public int priority() {
    return SYSTEM_FIRST;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      TokenAuthenticationRequest request, AuthenticationRequestContext context) {
    String token = request.getToken().getToken();
    Verified hit = verified.get(token);
    long now = System.currentTimeMillis();
    if (hit != null) {
      if (now < hit.expiresAtMs()) {
        return Uni.createFrom().item(hit.identity());
      }
      verified.remove(token);
    }
    return jwt.authenticate(request, context)
        .invoke(
            identity -> {
              if (identity != null
                  && identity.getPrincipal() instanceof JsonWebToken principal
                  && principal.getExpirationTime() > 0) {
                if (verified.size() >= MAX_TOKENS) {
                  verified.clear();
                }
                verified.put(token, new Verified(identity, principal.getExpirationTime() * 1000));
              }
            });
  }
}
