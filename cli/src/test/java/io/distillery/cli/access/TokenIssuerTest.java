package io.distillery.cli.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens from {@code distillery teacher token} verify against the public key keygen wrote. */
class TokenIssuerTest {

  private static PublicKey publicKey(Path pem) throws Exception {
    String body =
        Files.readString(pem)
            .replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  @Test
  void aMintedTokenIsSignedByTheIssuerAndCarriesClientRolesAndExpiry(@TempDir Path dir)
      throws Exception {
    TokenIssuer.generateKeys(dir);
    String token =
        TokenIssuer.mint(
            TokenIssuer.readPrivateKey(dir.resolve(TokenIssuer.PRIVATE_KEY)),
            "https://issuer.example",
            "labeler",
            List.of("describe", "label"),
            Duration.ofDays(2));
    String[] parts = token.split("\\.");
    assertEquals(3, parts.length);

    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(publicKey(dir.resolve(TokenIssuer.PUBLIC_KEY)));
    verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertTrue(verifier.verify(Base64.getUrlDecoder().decode(parts[2])));

    JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertEquals("https://issuer.example", claims.get("iss").asText());
    assertEquals("labeler", claims.get("upn").asText());
    assertEquals(
        List.of("describe", "label"),
        List.of(claims.get("groups").get(0).asText(), claims.get("groups").get(1).asText()));
    long ttl = claims.get("exp").asLong() - claims.get("iat").asLong();
    assertEquals(Duration.ofDays(2).toSeconds(), ttl);
    assertTrue(Math.abs(claims.get("iat").asLong() - Instant.now().getEpochSecond()) < 60);

    // Another key pair's public key does not verify it.
    Path other = dir.resolve("other");
    TokenIssuer.generateKeys(other);
    verifier.initVerify(publicKey(other.resolve(TokenIssuer.PUBLIC_KEY)));
    verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertFalse(verifier.verify(Base64.getUrlDecoder().decode(parts[2])));
  }

  @Test
  void namesThatWouldBreakTheClaimsAreRefused(@TempDir Path dir) throws Exception {
    TokenIssuer.generateKeys(dir);
    var key = TokenIssuer.readPrivateKey(dir.resolve(TokenIssuer.PRIVATE_KEY));
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenIssuer.mint(key, "i", "bad\"client", List.of("label"), Duration.ofDays(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenIssuer.mint(key, "i", "ok", List.of("la bel"), Duration.ofDays(1)));
  }
}
