package io.distillery.labeler.gate;

import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.TeacherDescription;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Kafka adapter for {@code distill.audit}: one record per licence-gate decision of this labeler
 * (key = the teacher's model id) — a teacher whose licence permits distillation, one labelled under
 * the operator's override, or one refused. Sent asynchronously; a failed send is logged (the
 * decision stands).
 */
@ApplicationScoped
public class GateAudit {

  /** Channel name in {@code application.properties}. */
  public static final String AUDIT = "audit";

  /** Does nothing (tests that drive the gate without a broker). */
  public static final GateAudit NONE = new GateAudit(null);

  static final String SERVICE = "labeler-service";
  private static final Logger LOG = Logger.getLogger(GateAudit.class);

  private final MutinyEmitter<AuditEvent> emitter;

  public GateAudit(@Channel(AUDIT) MutinyEmitter<AuditEvent> emitter) {
    this.emitter = emitter;
  }

  /** Records what the gate decided about a teacher. */
  public void decided(TeacherDescription teacher, GateDecision decision) {
    if (emitter == null) {
      return;
    }
    TeacherCard card = teacher.card();
    boolean open = decision instanceof GateDecision.Open;
    boolean permitted =
        card.getDistillation() == io.distillery.proto.v1.DistillationPolicy.DISTILLATION_ALLOWED;
    String reason = !open ? "blocked" : permitted ? "licence-permits" : "override";
    String message =
        decision instanceof GateDecision.Blocked blocked
            ? blocked.reason()
            : permitted
                ? "the teacher's licence permits distillation"
                : "the teacher's licence does not permit distillation; labelling under"
                    + " distillery.labeler.policy.allow-forbidden-teacher=true, every label records"
                    + " the override";
    AuditEvent event =
        AuditEvent.newBuilder()
            .setTimeMs(System.currentTimeMillis())
            .setService(SERVICE)
            .setClient(SERVICE)
            .setKind("licence-gate")
            .setDecision(
                open ? AuditDecision.AUDIT_DECISION_ALLOWED : AuditDecision.AUDIT_DECISION_REFUSED)
            .setStatus(open ? "OK" : "REFUSED")
            .setReason(reason)
            .setMessage(message)
            .setTeacherModelId(card.getModelId())
            .setTeacherSha256(card.getArtifactSha256())
            .setLicenseSpdx(card.getLicenseSpdx())
            .putFacts("distillation", card.getDistillation().name())
            .putFacts("teacher_version", card.getVersion())
            .build();
    emitter
        .sendMessage(
            Message.of(event)
                .addMetadata(
                    OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(card.getModelId())
                        .build()))
        .subscribe()
        .with(
            done -> {},
            failure ->
                LOG.errorf(
                    "licence-gate audit event for teacher %s not written: %s",
                    card.getModelId(), failure.getMessage()));
  }
}
