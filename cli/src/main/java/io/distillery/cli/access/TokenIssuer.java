package io.distillery.cli.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A minimal issuer of teacher access tokens: an RSA key pair in PEM files and RS256 JWTs with the
 * claims teacher-service reads ({@code iss}, {@code upn}/{@code sub} = client id, {@code groups} =
 * roles, {@code iat}, {@code exp}). Plain JDK; any standard JWT issuer (an OIDC provider) works the
 * same way.
 */
public final class TokenIssuer {

  /** Private key file written by {@link #generateKeys}. */
  public static final String PRIVATE_KEY = "teacher-issuer-private.pem";

  /** Public key file written by {@link #generateKeys}; teacher-service verifies with it. */
  public static final String PUBLIC_KEY = "teacher-issuer-public.pem";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private TokenIssuer() {}

  /**
   * Writes a new 2048-bit RSA key pair into {@code dir}; the private key readable by owner only.
   */
  public static void generateKeys(Path dir) throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    Files.createDirectories(dir);
    Path privateKey = dir.resolve(PRIVATE_KEY);
    Files.writeString(privateKey, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    try {
      Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: left to the directory's ACLs.
    }
    Files.writeString(dir.resolve(PUBLIC_KEY), pem("PUBLIC KEY", keys.getPublic().getEncoded()));
  }

  /** Reads a PKCS#8 PEM private key. */
  public static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
    String body =
        Files.readString(pem)
            .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  /** An RS256 JWT for {@code client} with {@code roles}, valid from now for {@code ttl}. */
  public static String mint(
      PrivateKey key, String issuer, String client, List<String> roles, Duration ttl)
      throws GeneralSecurityException {
    requireName(client, "client id");
    roles.forEach(role -> requireName(role, "role"));
    if (issuer.contains("\"") || issuer.contains("\\")) {
      throw new IllegalArgumentException(
          "issuer must not contain quotes or backslashes: " + issuer);
    }
    long now = Instant.now().getEpochSecond();
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    String claims =
        String.format(
            "{\"iss\":\"%s\",\"sub\":\"%s\",\"upn\":\"%s\",\"groups\":[%s],\"iat\":%d,\"exp\":%d,"
                + "\"jti\":\"%s\"}",
            issuer,
            client,
            client,
            roles.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",")),
            now,
            now + ttl.toSeconds(),
            UUID.randomUUID());
    String signingInput = encode(header) + "." + encode(claims);
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key);
    signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + URL.encodeToString(signer.sign());
  }

  private static void requireName(String value, String what) {
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must match " + NAME + ", got '" + value + "'");
    }
  }

  private static String encode(String json) {
    return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
