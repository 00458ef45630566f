package io.distillery.cli.lineage;

import io.distillery.models.lineage.Finding;
import io.distillery.models.lineage.Lineage;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import io.distillery.proto.v1.LossConfig;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.TeacherCard;
import java.time.Instant;
import java.util.Locale;

/** The lineage as tables for a terminal. */
final class LineageText {

  private LineageText() {}

  static String render(Lineage l) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Lineage of job %s, checkpoint step %d (pass %d%s, %,d samples seen)%n",
            l.jobId(),
            l.step(),
            l.pass(),
            l.isFinal() ? ", final" : "",
            l.samplesSeen()));
    out.append(String.format("  directory  %s%n", l.dir()));
    out.append(
        String.format(
            "  manifest   sha256 %s, written %s%n",
            l.manifestSha256(), Instant.ofEpochMilli(l.createdAtMs())));
    out.append(String.format("  student    %s%n", student(l.student())));
    out.append(String.format("  loss       %s%n", loss(l.loss())));

    out.append(String.format("%nTeachers (from the manifest; labels counted among those read)%n"));
    out.append(
        String.format(
            "  %-18s %-12s %-16s %-22s %-12s %11s %9s%n",
            "model",
            "version",
            "artifact sha256",
            "licence",
            "distillation",
            "labels read",
            "overrides"));
    for (Lineage.TeacherLineage t : l.teachers()) {
      TeacherCard c = t.card();
      out.append(
          String.format(
              Locale.ROOT,
              "  %-18s %-12s %-16s %-22s %-12s %,11d %,9d%n",
              c.getModelId(),
              c.getVersion(),
              shortSha(c.getArtifactSha256()),
              c.getLicenseSpdx().isEmpty() ? "(unstated)" : c.getLicenseSpdx(),
              policy(c.getDistillation()),
              t.labelsRead(),
              t.overrides()));
    }

    Lineage.LabelCheck labels = l.labels();
    out.append(
        String.format(
            "%nDatasets (%s)%n",
            labels.sampled()
                ? "prompt counts among the " + labels.read() + " sampled labels"
                : "every cited label read"));
    for (Lineage.DatasetCount d : l.datasets()) {
      out.append(String.format(Locale.ROOT, "  %-32s %,9d prompts%n", d.dataset(), d.prompts()));
    }

    out.append(
        String.format("%nSoft-label offsets consumed (per pass and partition, inclusive)%n"));
    out.append(
        String.format(
            "  %4s  %-24s %9s %12s %12s %10s%n",
            "pass", "topic", "partition", "from", "to", "labels"));
    for (Lineage.PassRange r : l.ranges()) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %4d  %-24s %9d %12d %12d %,10d%n",
              r.pass(),
              r.topic(),
              r.partition(),
              r.from(),
              r.to(),
              r.count()));
    }

    out.append(String.format("%nCheckpoint chain (manifest on disk vs its checkpoint event)%n"));
    out.append(
        String.format(
            "  %8s  %-16s %-16s %-28s %s%n", "step", "manifest", "event", "event at", ""));
    for (Lineage.ChainLink link : l.chain()) {
      String verdict =
          link.manifestSha256().isEmpty()
              ? "event only"
              : link.eventSha256().isEmpty() ? "NO EVENT" : link.matches() ? "ok" : "MISMATCH";
      out.append(
          String.format(
              "  %8d  %-16s %-16s %-28s %s%n",
              link.step(),
              shortSha(link.manifestSha256()),
              shortSha(link.eventSha256()),
              link.eventLocation(),
              verdict));
    }

    out.append(String.format("%nEvaluations of job %s%n", l.jobId()));
    if (l.evaluations().isEmpty()) {
      out.append(String.format("  (none)%n"));
    } else {
      out.append(
          String.format(
              "  %-24s %8s %-8s %-22s %10s %10s %s%n",
              "evaluated", "step", "status", "score", "agreement", "vs teacher", "promoted"));
      for (EvaluationEvent e : l.evaluations()) {
        out.append(evaluation(e));
      }
    }

    out.append(String.format("%nVerification%n"));
    out.append(
        String.format(
            Locale.ROOT,
            "  labels     %,d cited, %,d read%s: %,d from listed teachers, %,d from other"
                + " teachers, %,d undecodable, %,d no longer on the topic; trainer skipped %,d%n",
            labels.cited(),
            labels.read(),
            labels.sampled() ? " (sample)" : " (all)",
            labels.fromListedTeachers(),
            labels.fromOtherTeachers(),
            labels.undecodable(),
            labels.deleted(),
            labels.skippedByTrainer()));
    for (Finding f : l.findings()) {
      out.append("  ").append(f).append(System.lineSeparator());
    }
    out.append(
        l.verified()
            ? String.format(
                "  VERIFIED: files match the manifest, the manifest matches its event, the cited"
                    + " labels match the teacher cards%n")
            : String.format("  NOT VERIFIED: %d mismatch(es)%n", l.mismatches().size()));
    return out.toString();
  }

  private static String evaluation(EvaluationEvent e) {
    boolean lm = e.getMetrics().getBitsPerByte() > 0;
    String score =
        e.getStatus() != EvaluationStatus.EVALUATION_OK
            ? e.getFailureReason()
            : lm
                ? String.format(Locale.ROOT, "%.3f bits/byte", e.getMetrics().getBitsPerByte())
                : String.format(Locale.ROOT, "accuracy %.4f", e.getMetrics().getAccuracy());
    String teacher =
        lm
            ? String.format(Locale.ROOT, "%.3f", e.getMetrics().getTeacherBitsPerByte())
            : String.format(Locale.ROOT, "KL %.4f", e.getMetrics().getKlTeacherStudent());
    return String.format(
        Locale.ROOT,
        "  %-24s %8s %-8s %-22s %10.4f %10s %s%n",
        Instant.ofEpochMilli(e.getEvaluatedAtMs()),
        e.getSubject() == EvaluationSubject.SUBJECT_TEACHER ? "teacher" : e.getStep(),
        e.getStatus() == EvaluationStatus.EVALUATION_OK ? "ok" : "failed",
        score,
        e.getMetrics().getAgreement(),
        teacher,
        e.getPromoted() ? "yes" : "");
  }

  static String student(StudentSpec s) {
    return String.format(
        Locale.ROOT,
        "%s (family %s, %,d parameters)",
        s.getArchitecture(),
        s.getFamily().isEmpty() ? "mlp" : s.getFamily(),
        s.getParameterCount());
  }

  static String loss(LossConfig loss) {
    return String.format(
        Locale.ROOT,
        "%s, T=%s, alpha (hard-label weight)=%s%s",
        loss.getDivergence(),
        loss.getTemperature(),
        loss.getAlpha(),
        loss.getDivergenceParam() != 0
            ? ", divergence parameter " + loss.getDivergenceParam()
            : "");
  }

  static String policy(DistillationPolicy policy) {
    return switch (policy) {
      case DISTILLATION_ALLOWED -> "allowed";
      case DISTILLATION_FORBIDDEN -> "FORBIDDEN";
      default -> "unstated";
    };
  }

  private static String shortSha(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha.isEmpty() ? "-" : sha;
  }
}
