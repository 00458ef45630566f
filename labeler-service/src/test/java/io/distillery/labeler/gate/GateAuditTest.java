package io.distillery.labeler.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.labeler.support.Cards;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.TeacherCard;
import org.junit.jupiter.api.Test;

/** What the gate's audit event says for each decision. Plain JUnit: a pure mapping. */
class GateAuditTest {

  @Test
  void aPermittingLicenceAnOverrideAndARefusalAreToldApart() {
    TeacherCard allowed = Cards.fashion(DistillationPolicy.DISTILLATION_ALLOWED).build();
    TeacherCard forbidden = Cards.fashion(DistillationPolicy.DISTILLATION_FORBIDDEN).build();
    GateDecision open = new GateDecision.Open(null);

    AuditEvent permits = GateAudit.event(allowed, open);
    AuditEvent override = GateAudit.event(forbidden, open);
    AuditEvent blocked =
        GateAudit.event(forbidden, new GateDecision.Blocked("licence forbids distillation"));

    assertEquals("licence-permits", permits.getReason());
    assertEquals("override", override.getReason());
    assertEquals(AuditDecision.AUDIT_DECISION_ALLOWED, override.getDecision());
    assertEquals("blocked", blocked.getReason());
    assertEquals(AuditDecision.AUDIT_DECISION_REFUSED, blocked.getDecision());
    assertEquals("licence forbids distillation", blocked.getMessage());
    assertEquals("licence-gate", blocked.getKind());
    assertEquals(forbidden.getArtifactSha256(), blocked.getTeacherSha256());
    assertEquals("DISTILLATION_FORBIDDEN", blocked.getFactsOrThrow("distillation"));
  }
}
