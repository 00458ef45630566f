package io.distillery.teacher.access;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Access control on, trusting {@link TestTokens}' issuer (1 s clock skew), with a small quota and a
 * top-k cap.
 */
public class SecuredTeacherProfile implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.ofEntries(
        Map.entry("distillery.teacher.access.enabled", "true"),
        Map.entry("mp.jwt.verify.publickey", TestTokens.publicKey()),
        Map.entry("mp.jwt.verify.issuer", TestTokens.ISSUER),
        // 1 s of grace after exp (SmallRye ignores 0 and keeps 60), so that a token expiring
        // during a test is refused soon after.
        Map.entry("mp.jwt.verify.clock.skew", "1"),
        Map.entry("distillery.teacher.access.defaults.max-top-k", "5"),
        Map.entry("distillery.teacher.access.clients.labeler.max-top-k", "10"),
        Map.entry("distillery.teacher.access.clients.greedy.samples-per-minute", "4"));
  }
}
