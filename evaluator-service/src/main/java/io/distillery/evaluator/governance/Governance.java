package io.distillery.evaluator.governance;

import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.lineage.Lineage;
import io.distillery.models.lineage.LineageTracer;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.TeacherCard;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The evaluator's governance duties: the licence gate on promotion (a teacher whose licence does
 * not permit distillation needs an override recorded in the labels the checkpoint learned from), an
 * audit record of every gate decision and every promotion, and a model card next to every promoted
 * checkpoint.
 */
@ApplicationScoped
public class Governance {

  private static final Logger LOG = Logger.getLogger(Governance.class);
  static final String SERVICE = "evaluator-service";

  private final LineageReader lineages;
  private final AuditChannel audit;
  private final ModelCards cards;
  private final Clock clock = Clock.systemUTC();

  public Governance(LineageReader lineages, AuditChannel audit, ModelCards cards) {
    this.lineages = lineages;
    this.audit = audit;
    this.cards = cards;
  }

  /**
   * Checks the licences of a checkpoint's teachers. Teachers that permit distillation pass without
   * reading anything; for any other, the cited labels are read back and must include labels of that
   * teacher carrying the operator's override. Every such decision is audited.
   */
  public LicenceVerdict licence(Checkpoint checkpoint) {
    List<TeacherCard> notPermitted =
        checkpoint.manifest().getTeachersList().stream()
            .filter(c -> c.getDistillation() != DistillationPolicy.DISTILLATION_ALLOWED)
            .toList();
    if (notPermitted.isEmpty()) {
      return LicenceVerdict.clear();
    }
    Optional<Lineage> lineage;
    String lineageProblem = "";
    try {
      lineage = Optional.of(lineages.trace(checkpoint.dir()));
    } catch (RuntimeException e) {
      lineage = Optional.empty();
      lineageProblem = e.getMessage();
    }
    List<String> refusals = new ArrayList<>();
    for (TeacherCard card : notPermitted) {
      Optional<Lineage.TeacherLineage> seen =
          lineage.flatMap(
              l ->
                  l.teachers().stream()
                      .filter(t -> t.card().getArtifactSha256().equals(card.getArtifactSha256()))
                      .findFirst());
      long overrides = seen.map(Lineage.TeacherLineage::overrides).orElse(0L);
      long read = seen.map(Lineage.TeacherLineage::labelsRead).orElse(0L);
      boolean allowed = overrides > 0;
      String licence =
          card.getLicenseSpdx().isEmpty() ? "an unstated licence" : card.getLicenseSpdx();
      String message =
          allowed
              ? String.format(
                  Locale.ROOT,
                  "teacher %s is licensed %s (%s); %d of its %d cited labels read carry the"
                      + " operator's override",
                  LineageTracer.describe(card),
                  licence,
                  card.getDistillation(),
                  overrides,
                  read)
              : String.format(
                  Locale.ROOT,
                  "teacher %s is licensed %s (%s) and no override is recorded in the labels the"
                      + " checkpoint learned from (%s)",
                  LineageTracer.describe(card),
                  licence,
                  card.getDistillation(),
                  lineage.isPresent()
                      ? read + " of its cited labels read, none overridden"
                      : "its lineage could not be read: " + lineageProblem);
      if (!allowed) {
        refusals.add(message);
      }
      AuditEvent.Builder event =
          base("licence-gate", checkpoint, allowed)
              .setReason(allowed ? "override" : "no-override")
              .setMessage(message)
              .setTeacherModelId(card.getModelId())
              .setTeacherSha256(card.getArtifactSha256())
              .setLicenseSpdx(card.getLicenseSpdx())
              .putFacts("distillation", card.getDistillation().name())
              .putFacts("override_labels", Long.toString(overrides))
              .putFacts("labels_read", Long.toString(read));
      lineage.ifPresent(
          l -> event.putFacts("labels_sampled", Boolean.toString(l.labels().sampled())));
      record(event.build());
      LOG.infof(
          "licence gate, job %s step %d: %s",
          checkpoint.manifest().getJobId(), checkpoint.manifest().getStep(), message);
    }
    Optional<String> refusal =
        refusals.isEmpty()
            ? Optional.empty()
            : Optional.of("not promoted: " + String.join("; ", refusals));
    return new LicenceVerdict(refusal, lineage);
  }

  /**
   * Audits a promotion decision and, for a promoted checkpoint, writes its model card.
   *
   * @param checkpoint the scored checkpoint
   * @param settled its evaluation as published
   * @param newlyPromoted whether it just became its job's promoted checkpoint
   * @param verdict the licence gate's verdict
   */
  public void settled(
      Checkpoint checkpoint,
      EvaluationEvent settled,
      boolean newlyPromoted,
      LicenceVerdict verdict) {
    boolean refused = !settled.getPromotionRefusal().isEmpty();
    if (!newlyPromoted && !refused) {
      return;
    }
    AuditEvent.Builder event =
        base("promotion", checkpoint, !refused)
            .setReason(refused ? "licence" : "best-score")
            .setMessage(refused ? settled.getPromotionRefusal() : "promoted as the job's best")
            .putFacts("eval_set", settled.getEvalSetId())
            .putFacts("accuracy", Double.toString(settled.getMetrics().getAccuracy()))
            .putFacts("agreement", Double.toString(settled.getMetrics().getAgreement()))
            .putFacts(
                "kl_teacher_student", Double.toString(settled.getMetrics().getKlTeacherStudent()));
    if (settled.getMetrics().getBitsPerByte() > 0) {
      event.putFacts("bits_per_byte", Double.toString(settled.getMetrics().getBitsPerByte()));
    }
    if (settled.hasTeacher()) {
      event
          .setTeacherModelId(settled.getTeacher().getModelId())
          .setTeacherSha256(settled.getTeacher().getArtifactSha256())
          .setLicenseSpdx(settled.getTeacher().getLicenseSpdx());
    }
    if (newlyPromoted) {
      Optional<Lineage> lineage = verdict.lineage();
      String lineageProblem = "";
      if (lineage.isEmpty()) {
        try {
          lineage = Optional.of(lineages.trace(checkpoint.dir()));
        } catch (RuntimeException e) {
          lineageProblem = e.getMessage();
        }
      }
      try {
        ModelCards.Written card = cards.write(checkpoint, settled, lineage, lineageProblem);
        event.putFacts("model_card", card.markdown().toString());
        lineage.ifPresent(l -> event.putFacts("lineage_verified", Boolean.toString(l.verified())));
      } catch (java.io.IOException | RuntimeException e) {
        LOG.errorf(e, "model card of %s not written", checkpoint.dir());
        event.putFacts("model_card_error", String.valueOf(e.getMessage()));
      }
    }
    record(event.build());
  }

  /**
   * Writes an audit event. A failed write is logged by the channel and does not undo the decision
   * (the pointer and the evaluation record are already written): the audit trail is best effort
   * here, as in the teacher.
   */
  private void record(AuditEvent event) {
    try {
      audit.record(event);
    } catch (RuntimeException e) {
      LOG.errorf(
          "the %s decision of job %s step %d is not in the audit log",
          event.getKind(), event.getJobId(), event.getStep());
    }
  }

  private AuditEvent.Builder base(String kind, Checkpoint checkpoint, boolean allowed) {
    return AuditEvent.newBuilder()
        .setTimeMs(clock.millis())
        .setService(SERVICE)
        .setClient(SERVICE)
        .setKind(kind)
        .setJobId(checkpoint.manifest().getJobId())
        .setStep(checkpoint.manifest().getStep())
        .setCheckpointSha256(checkpoint.manifestSha256())
        .setDecision(
            allowed ? AuditDecision.AUDIT_DECISION_ALLOWED : AuditDecision.AUDIT_DECISION_REFUSED)
        .setStatus(allowed ? "OK" : "REFUSED");
  }
}
