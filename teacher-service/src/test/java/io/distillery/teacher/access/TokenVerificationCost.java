package io.distillery.teacher.access;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * What the token cache saves per call, in CPU time of this thread (insensitive to other processes
 * on a shared machine): SmallRye JWT parsing and verifying an RS256 token — what the teacher did on
 * every call — against a {@link VerifiedTokenCache} lookup. Interleaved rounds, medians. Not a
 * test: run it with {@code java -cp <test classpath>
 * io.distillery.teacher.access.TokenVerificationCost}.
 */
public final class TokenVerificationCost {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private TokenVerificationCost() {}

  public static void main(String[] args) throws Exception {
    int rounds = 7;
    int verifications = 2_000;
    int lookups = 1_000_000;
    String token = TestTokens.token("labeler", "label", "describe");
    DefaultJWTParser parser =
        new DefaultJWTParser(new JWTAuthContextInfo(TestTokens.issuerKey(), TestTokens.ISSUER));
    JsonWebToken jwt = parser.parse(token);
    SecurityIdentity identity =
        QuarkusSecurityIdentity.builder().setPrincipal(jwt).addRoles(jwt.getGroups()).build();
    VerifiedTokenCache cache = VerifiedTokenCache.of(1024, Duration.ofMinutes(5));
    cache.put(token, identity);

    double[] verify = new double[rounds];
    double[] lookup = new double[rounds];
    long sink = 0;
    for (int r = -2; r < rounds; r++) { // two warm-up rounds
      long start = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < verifications; i++) {
        sink += parser.parse(token).getExpirationTime();
      }
      double verifyMicros = (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / verifications;
      start = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < lookups; i++) {
        sink += cache.get(token).getRoles().size();
      }
      double lookupMicros = (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / lookups;
      if (r >= 0) {
        verify[r] = verifyMicros;
        lookup[r] = lookupMicros;
      }
    }
    Arrays.sort(verify);
    Arrays.sort(lookup);
    System.out.printf(
        "RS256 token parse + verify (SmallRye JWT): median %.1f us CPU per call (rounds %s)%n"
            + "verified-token cache hit:                   median %.3f us CPU per call (rounds %s)%n"
            + "(checksum %d)%n",
        verify[rounds / 2],
        Arrays.toString(Arrays.stream(verify).map(v -> Math.round(v * 10) / 10.0).toArray()),
        lookup[rounds / 2],
        Arrays.toString(Arrays.stream(lookup).map(v -> Math.round(v * 1000) / 1000.0).toArray()),
        sink);
  }
}
