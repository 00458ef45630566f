package io.distillery.teacher.access;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A bearer token taken from a gRPC call, to be verified by {@link CachingTokenVerifier}. Its own
 * type (rather than Quarkus' {@code TokenAuthenticationRequest}) so that exactly one identity
 * provider, ours, answers it: Quarkus picks providers by the request's class.
 */
public final class BearerTokenRequest extends BaseAuthenticationRequest {

  private final String token;

  public BearerTokenRequest(String token) {
    this.token = token;
  }

  /** The raw compact JWT, as the client sent it. */
  public String token() {
    return token;
  }
}
