package io.distillery.teacher.access;

import io.grpc.Metadata;
import io.quarkus.grpc.auth.GrpcSecurityMechanism;
import io.quarkus.security.identity.request.AuthenticationRequest;
import jakarta.inject.Singleton;

/**
 * Reads {@code authorization: Bearer <jwt>} from a gRPC call's metadata and asks Quarkus Security
 * to verify it, through {@link CachingTokenVerifier} (which checks each token once, not per call).
 */
@Singleton
public class BearerTokenMechanism implements GrpcSecurityMechanism {

  /** The standard header, lower-case as gRPC sends it. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String BEARER = "bearer ";

  private final AccessConfig config;

  public BearerTokenMechanism(io.distillery.teacher.config.TeacherConfig config) {
    this.config = config.access();
  }

  @Override
  public boolean handles(Metadata metadata) {
    // With open access a stray token must not turn into a refusal.
    return config.enabled() && token(metadata) != null;
  }

  @Override
  public AuthenticationRequest createAuthenticationRequest(Metadata metadata) {
    return new BearerTokenRequest(token(metadata));
  }

  private static String token(Metadata metadata) {
    String header = metadata.get(AUTHORIZATION);
    if (header == null || header.length() <= BEARER.length()) {
      return null;
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return header.substring(BEARER.length()).trim();
  }
}
