package io.distillery.cli.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.distillery.proto.v1.EvaluationEvent;
import java.util.Map;

/** The JSON form of a {@link ClusterStatus}; evaluations in protobuf's JSON mapping. */
final class StatusJson {

  private StatusJson() {}

  /** The snapshot as JSON; evaluations in protobuf's JSON mapping. */
  static String write(ClusterStatus status) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("bootstrapServers", status.bootstrapServers());
    root.put("readAt", status.readAt().toString());
    root.put("brokers", status.brokers());
    ArrayNode topicArray = root.putArray("topics");
    status.topics().forEach(t -> topicArray.add(mapper.valueToTree(t)));
    ArrayNode groupArray = root.putArray("consumerGroups");
    for (ClusterStatus.GroupStatus g : status.groups()) {
      ObjectNode node = mapper.valueToTree(g);
      node.put("totalLag", g.totalLag());
      groupArray.add(node);
    }
    ObjectNode evaluations = root.putObject("latestEvaluations");
    JsonFormat.Printer printer = JsonFormat.printer();
    try {
      for (Map.Entry<String, EvaluationEvent> e : status.latestEvaluations().entrySet()) {
        evaluations.set(e.getKey(), mapper.readTree(printer.print(e.getValue())));
      }
      root.put("undecodableEvaluations", status.undecodableEvaluations());
      return mapper.writeValueAsString(root);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot write the status as JSON", e);
    }
  }
}
