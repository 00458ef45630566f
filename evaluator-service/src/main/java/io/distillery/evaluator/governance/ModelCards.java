package io.distillery.evaluator.governance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.lineage.Finding;
import io.distillery.models.lineage.Lineage;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.TeacherCard;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a model card (Markdown and JSON) next to a promoted checkpoint: {@code
 * <job>/step-<n>.model-card.md} and {@code .json}, beside the sealed checkpoint directory (whose
 * files its manifest lists): intended use, training data provenance, teachers and licences, metrics
 * against the teacher, known limits.
 */
@ApplicationScoped
public class ModelCards {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The files written. */
  public record Written(Path markdown, Path json) {}

  private final EvaluatorConfig.Governance config;

  public ModelCards(EvaluatorConfig config) {
    this.config = config.governance();
  }

  /** The Markdown card's path for a checkpoint directory. */
  public static Path markdownOf(Path checkpointDir) {
    return checkpointDir.resolveSibling(checkpointDir.getFileName() + ".model-card.md");
  }

  /** The JSON card's path for a checkpoint directory. */
  public static Path jsonOf(Path checkpointDir) {
    return checkpointDir.resolveSibling(checkpointDir.getFileName() + ".model-card.json");
  }

  /**
   * Writes both cards (each to a temporary file renamed into place).
   *
   * @param lineage the checkpoint's lineage, when it could be read
   * @param lineageProblem why it could not, otherwise
   */
  public Written write(
      Checkpoint checkpoint,
      EvaluationEvent evaluation,
      Optional<Lineage> lineage,
      String lineageProblem)
      throws IOException {
    CheckpointEvent manifest = checkpoint.manifest();
    List<String> limits = knownLimits(manifest, evaluation, lineage, lineageProblem);

    ObjectNode json = JSON.createObjectNode();
    json.put("job_id", manifest.getJobId());
    json.put("step", manifest.getStep());
    json.put("checkpoint", checkpoint.dir().toString());
    json.put("manifest_sha256", checkpoint.manifestSha256());
    json.put("promoted_at", Instant.ofEpochMilli(evaluation.getEvaluatedAtMs()).toString());
    json.put("intended_use", config.intendedUse());
    ObjectNode student = json.putObject("student");
    student.put("architecture", manifest.getStudent().getArchitecture());
    student.put("family", manifest.getStudent().getFamily());
    student.put("parameters", manifest.getStudent().getParameterCount());
    ObjectNode training = json.putObject("training");
    training.put("samples_seen", manifest.getSamplesSeen());
    training.put("passes", manifest.getPass() + 1);
    training.put("loss_divergence", manifest.getLoss().getDivergence());
    training.put("temperature", manifest.getLoss().getTemperature());
    training.put("alpha_hard_label_weight", manifest.getLoss().getAlpha());
    ObjectNode provenance = json.putObject("training_data");
    ArrayNode teachers = json.putArray("teachers");
    for (TeacherCard card : manifest.getTeachersList()) {
      ObjectNode t = teachers.addObject();
      t.put("model_id", card.getModelId());
      t.put("version", card.getVersion());
      t.put("artifact_sha256", card.getArtifactSha256());
      t.put("license_spdx", card.getLicenseSpdx());
      t.put("distillation", policy(card.getDistillation()));
      long overrides =
          lineage
              .flatMap(l -> teacherOf(l, card))
              .map(Lineage.TeacherLineage::overrides)
              .orElse(0L);
      t.put("override_labels_read", overrides);
      ObjectNode facts = t.putObject("training_facts");
      card.getTrainingFactsMap().forEach(facts::put);
    }
    if (lineage.isPresent()) {
      Lineage l = lineage.get();
      provenance.put("lineage_verified", l.verified());
      provenance.put("labels_cited", l.labels().cited());
      provenance.put("labels_read", l.labels().read());
      provenance.put("labels_sampled", l.labels().sampled());
      ArrayNode datasets = provenance.putArray("datasets");
      l.datasets()
          .forEach(
              d ->
                  datasets
                      .addObject()
                      .put("dataset", d.dataset())
                      .put("prompts_read", d.prompts()));
      provenance.set("offset_ranges", JSON.valueToTree(l.ranges()));
      ArrayNode findings = provenance.putArray("findings");
      l.findings().forEach(f -> findings.add(f.toString()));
    } else {
      provenance.put("lineage_verified", false);
      provenance.put("lineage_unavailable", lineageProblem);
    }
    ObjectNode metrics = json.putObject("metrics");
    EvaluationMetrics m = evaluation.getMetrics();
    metrics.put("eval_set", evaluation.getEvalSetId());
    metrics.put("eval_set_size", evaluation.getEvalSetSize());
    for (Map.Entry<String, Double> e : metricTable(m).entrySet()) {
      metrics.put(e.getKey(), e.getValue());
    }
    ArrayNode limitsNode = json.putArray("known_limits");
    limits.forEach(limitsNode::add);

    Path dir = checkpoint.dir();
    Path jsonFile = jsonOf(dir);
    Path mdFile = markdownOf(dir);
    writeAtomically(jsonFile, JSON.writeValueAsString(json) + "\n");
    writeAtomically(mdFile, markdown(checkpoint, evaluation, lineage, lineageProblem, limits));
    return new Written(mdFile, jsonFile);
  }

  private String markdown(
      Checkpoint checkpoint,
      EvaluationEvent evaluation,
      Optional<Lineage> lineage,
      String lineageProblem,
      List<String> limits) {
    CheckpointEvent manifest = checkpoint.manifest();
    StringBuilder md = new StringBuilder();
    md.append("# Model card: ")
        .append(manifest.getJobId())
        .append(", step ")
        .append(manifest.getStep())
        .append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Student `%s` (%s, %,d parameters), promoted %s. Checkpoint `%s`, manifest sha256 `%s`.%n%n",
            manifest.getStudent().getArchitecture(),
            manifest.getStudent().getFamily(),
            manifest.getStudent().getParameterCount(),
            Instant.ofEpochMilli(evaluation.getEvaluatedAtMs()),
            checkpoint.dir(),
            checkpoint.manifestSha256()));
    md.append("## Intended use\n\n").append(config.intendedUse()).append("\n\n");
    md.append("## Teachers and licences\n\n");
    md.append(
        "| model | version | artifact sha256 | licence | distillation | override labels read |\n");
    md.append("| --- | --- | --- | --- | --- | ---: |\n");
    for (TeacherCard card : manifest.getTeachersList()) {
      long overrides =
          lineage
              .flatMap(l -> teacherOf(l, card))
              .map(Lineage.TeacherLineage::overrides)
              .orElse(0L);
      md.append(
          String.format(
              "| %s | %s | `%s` | %s | %s | %d |%n",
              card.getModelId(),
              card.getVersion(),
              card.getArtifactSha256(),
              card.getLicenseSpdx().isEmpty() ? "(unstated)" : card.getLicenseSpdx(),
              policy(card.getDistillation()),
              overrides));
    }
    md.append("\n## Training data provenance\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d samples seen over %d pass(es); loss %s, T = %s, α (hard-label weight) = %s.%n%n",
            manifest.getSamplesSeen(),
            manifest.getPass() + 1,
            manifest.getLoss().getDivergence(),
            manifest.getLoss().getTemperature(),
            manifest.getLoss().getAlpha()));
    if (lineage.isPresent()) {
      Lineage l = lineage.get();
      md.append(
          String.format(
              Locale.ROOT,
              "Lineage %s (%,d soft labels cited, %,d read back%s). Check it again with"
                  + " `distillery lineage %s`.%n%n",
              l.verified() ? "**verified**" : "**NOT verified**",
              l.labels().cited(),
              l.labels().read(),
              l.labels().sampled() ? ", a sample" : "",
              checkpoint.dir()));
      md.append("| dataset | prompts among labels read |\n| --- | ---: |\n");
      l.datasets()
          .forEach(d -> md.append(String.format("| %s | %d |%n", d.dataset(), d.prompts())));
      md.append("\n| pass | topic | partition | offsets |\n| ---: | --- | ---: | --- |\n");
      for (Lineage.PassRange r : l.ranges()) {
        md.append(
            String.format(
                "| %d | %s | %d | %d–%d |%n",
                r.pass(), r.topic(), r.partition(), r.from(), r.to()));
      }
      for (Finding f : l.findings()) {
        md.append("\n- ").append(f);
      }
      md.append("\n");
    } else {
      md.append("The lineage could not be read: ").append(lineageProblem).append("\n");
    }
    md.append("\n## Metrics against the teacher\n\n");
    md.append(
        String.format(
            "On `%s` (%d samples):%n%n| metric | value |%n| --- | ---: |%n",
            evaluation.getEvalSetId(), evaluation.getEvalSetSize()));
    metricTable(evaluation.getMetrics())
        .forEach(
            (k, v) ->
                md.append(
                    k.equals("errors")
                        ? String.format(Locale.ROOT, "| %s | %d |%n", k, v.longValue())
                        : String.format(Locale.ROOT, "| %s | %.4f |%n", k, v)));
    for (TeacherCard card : manifest.getTeachersList()) {
      if (card.getTrainingFactsCount() > 0) {
        md.append(
            String.format("%nThe teacher %s's own facts (from its card): ", card.getModelId()));
        List<String> facts = new ArrayList<>();
        new java.util.TreeMap<>(card.getTrainingFactsMap())
            .forEach((k, v) -> facts.add(k + " " + v));
        md.append(String.join(", ", facts)).append(".\n");
      }
    }
    md.append("\n## Known limits\n\n");
    limits.forEach(limit -> md.append("- ").append(limit).append("\n"));
    return md.toString();
  }

  private List<String> knownLimits(
      CheckpointEvent manifest,
      EvaluationEvent evaluation,
      Optional<Lineage> lineage,
      String lineageProblem) {
    List<String> limits = new ArrayList<>();
    limits.add(config.knownLimits());
    EvaluationMetrics m = evaluation.getMetrics();
    if (m.getBitsPerByte() > 0) {
      limits.add(
          String.format(
              Locale.ROOT,
              "Measured %.3f bits/byte against the teacher's %.3f on %s.",
              m.getBitsPerByte(),
              m.getTeacherBitsPerByte(),
              evaluation.getEvalSetId()));
    } else {
      limits.add(
          String.format(
              Locale.ROOT,
              "Errs on %.1f%% of %s and disagrees with its teacher on %.1f%% of it.",
              100 * (1 - m.getAccuracy()),
              evaluation.getEvalSetId(),
              100 * (1 - m.getAgreement())));
    }
    for (TeacherCard card : manifest.getTeachersList()) {
      if (card.getDistillation() != DistillationPolicy.DISTILLATION_ALLOWED) {
        limits.add(
            "Teacher "
                + card.getModelId()
                + " does not permit distillation by its licence ("
                + card.getLicenseSpdx()
                + "); this student exists under a recorded operator override.");
      }
    }
    if (lineage.isEmpty()) {
      limits.add("Lineage not verified: " + lineageProblem);
    } else if (lineage.get().labels().sampled()) {
      limits.add(
          "Teacher hashes were checked on a sample of the cited labels; run `distillery"
              + " lineage --all-labels` for all of them.");
    }
    return limits;
  }

  private static Map<String, Double> metricTable(EvaluationMetrics m) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    if (m.getBitsPerByte() > 0) {
      out.put("bits_per_byte", m.getBitsPerByte());
      out.put("teacher_bits_per_byte", m.getTeacherBitsPerByte());
      out.put("perplexity", m.getPerplexity());
      out.put("teacher_perplexity", m.getTeacherPerplexity());
    } else {
      out.put("accuracy", m.getAccuracy());
      out.put("errors", (double) m.getErrors());
      out.put("nll", m.getNll());
    }
    out.put("agreement_with_teacher", m.getAgreement());
    out.put("kl_teacher_student", m.getKlTeacherStudent());
    return out;
  }

  private static Optional<Lineage.TeacherLineage> teacherOf(Lineage l, TeacherCard card) {
    return l.teachers().stream()
        .filter(t -> t.card().getArtifactSha256().equals(card.getArtifactSha256()))
        .findFirst();
  }

  private static String policy(DistillationPolicy policy) {
    return switch (policy) {
      case DISTILLATION_ALLOWED -> "allowed";
      case DISTILLATION_FORBIDDEN -> "forbidden";
      default -> "unstated";
    };
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temp, content, StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
