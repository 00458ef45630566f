package io.distillery.teacher.access;

import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/** An issuer for tests: an RSA key pair made at run time and tokens signed with it. */
public final class TestTokens {

  public static final String ISSUER = "https://issuer.test.distillery";

  private static final KeyPair ISSUER_KEYS = generate();
  private static final KeyPair OTHER_KEYS = generate();

  private TestTokens() {}

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The issuer's public key. */
  public static java.security.PublicKey issuerKey() {
    return ISSUER_KEYS.getPublic();
  }

  /** The issuer's public key, base64 X.509, as {@code mp.jwt.verify.publickey} takes it. */
  public static String publicKey() {
    return Base64.getEncoder().encodeToString(ISSUER_KEYS.getPublic().getEncoded());
  }

  /** A token valid for an hour. */
  public static String token(String client, String... roles) {
    return Jwt.issuer(ISSUER)
        .upn(client)
        .groups(Set.of(roles))
        .expiresIn(3600)
        .sign(ISSUER_KEYS.getPrivate());
  }

  /** A token valid for {@code seconds} from now. */
  public static String expiringIn(long seconds, String client, String... roles) {
    return Jwt.issuer(ISSUER)
        .upn(client)
        .groups(Set.of(roles))
        .expiresAt(Instant.now().plusSeconds(seconds))
        .sign(ISSUER_KEYS.getPrivate());
  }

  /** A token that expired ten minutes ago (beyond the default 60 s clock skew). */
  public static String expired(String client, String... roles) {
    Instant now = Instant.now();
    return Jwt.issuer(ISSUER)
        .upn(client)
        .groups(Set.of(roles))
        .issuedAt(now.minusSeconds(3600))
        .expiresAt(now.minusSeconds(600))
        .sign(ISSUER_KEYS.getPrivate());
  }

  /** A well-formed token signed by a key the teacher does not trust. */
  public static String forged(String client, String... roles) {
    return Jwt.issuer(ISSUER)
        .upn(client)
        .groups(Set.of(roles))
        .expiresIn(3600)
        .sign(OTHER_KEYS.getPrivate());
  }
}
