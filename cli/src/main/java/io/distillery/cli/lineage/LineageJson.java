package io.distillery.cli.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.distillery.models.lineage.Finding;
import io.distillery.models.lineage.Lineage;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The lineage as one JSON document (protobuf messages in protobuf's JSON mapping). */
final class LineageJson {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LineageJson() {}

  static String write(Lineage l) {
    ObjectNode root = JSON.createObjectNode();
    root.put("jobId", l.jobId());
    root.put("step", l.step());
    root.put("pass", l.pass());
    root.put("samplesSeen", l.samplesSeen());
    root.put("final", l.isFinal());
    root.put("createdAtMs", l.createdAtMs());
    root.put("directory", l.dir().toString());
    root.put("manifestSha256", l.manifestSha256());
    root.put("verified", l.verified());
    root.set("student", proto(l.student()));
    root.set("loss", proto(l.loss()));
    ArrayNode teachers = root.putArray("teachers");
    for (Lineage.TeacherLineage t : l.teachers()) {
      ObjectNode node = teachers.addObject();
      node.set("card", proto(t.card()));
      node.put("labelsRead", t.labelsRead());
      node.put("overrides", t.overrides());
    }
    ArrayNode datasets = root.putArray("datasets");
    l.datasets()
        .forEach(d -> datasets.addObject().put("dataset", d.dataset()).put("prompts", d.prompts()));
    root.set("ranges", JSON.valueToTree(l.ranges())); // pass, topic, partition, from, to
    ArrayNode chain = root.putArray("chain");
    for (Lineage.ChainLink c : l.chain()) {
      chain
          .addObject()
          .put("step", c.step())
          .put("manifestSha256", c.manifestSha256())
          .put("eventSha256", c.eventSha256())
          .put("eventAt", c.eventLocation())
          .put("matches", c.matches());
    }
    Lineage.LabelCheck lc = l.labels();
    root.putObject("labels")
        .put("cited", lc.cited())
        .put("read", lc.read())
        .put("sampled", lc.sampled())
        .put("fromListedTeachers", lc.fromListedTeachers())
        .put("fromOtherTeachers", lc.fromOtherTeachers())
        .put("undecodable", lc.undecodable())
        .put("deleted", lc.deleted())
        .put("skippedByTrainer", lc.skippedByTrainer());
    ArrayNode evaluations = root.putArray("evaluations");
    l.evaluations().forEach(e -> evaluations.add(proto(e)));
    ArrayNode findings = root.putArray("findings");
    for (Finding f : l.findings()) {
      findings
          .addObject()
          .put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT))
          .put("check", f.check())
          .put("message", f.message());
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode proto(MessageOrBuilder message) {
    try {
      return JSON.readTree(JsonFormat.printer().omittingInsignificantWhitespace().print(message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
