package io.distillery.labeler.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.distillery.labeler.support.FakeTeacherModel;
import io.distillery.labeler.support.KafkaTopics;
import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Valid prompts on the real prompt topic become soft labels on the real soft-label topic. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
class LabelingTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  FakeTeacher teacher;

  @BeforeEach
  void healthyTeacher() {
    teacher.reset();
  }

  @Test
  void protobufAndJsonPromptsAreLabelledWithTeacherCardInputAndLineage() throws Exception {
    String run = Prompts.runId("formats");
    PromptEvent binary = Prompts.image(run + "protobuf", 1);
    PromptEvent json =
        Prompts.image(run + "json", 2).toBuilder().clearLabel().setDataset("").build();
    long binaryOffset;
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      binaryOffset =
          writer.send(DistilleryTopics.PROMPTS, binary.getId(), binary.toByteArray()).offset();
      writer.send(
          DistilleryTopics.PROMPTS,
          json.getId(),
          JsonFormat.printer().print(json).getBytes(StandardCharsets.UTF_8));
    }

    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        KafkaTopics.awaitKeys(
            bootstrap,
            DistilleryTopics.SOFT_LABELS,
            List.of(binary.getId(), json.getId()),
            Duration.ofSeconds(30));

    assertEquals(1, labels.get(binary.getId()).size(), "one label per prompt");
    SoftLabelEvent fromBinary = SoftLabelEvent.parseFrom(labels.get(binary.getId()).get(0).value());
    assertEquals(binary.getId(), fromBinary.getPromptId());
    assertEquals("fashion-mnist/test", fromBinary.getDataset());
    assertEquals(binary.getInput(), fromBinary.getInput());
    assertTrue(fromBinary.hasLabel());
    assertEquals(1, fromBinary.getLabel());
    assertEquals("fake-fashion", fromBinary.getTeacher().getModelId());
    assertEquals(FakeTeacher.SHA256, fromBinary.getTeacher().getArtifactSha256());
    assertEquals(
        DistillationPolicy.DISTILLATION_ALLOWED, fromBinary.getTeacher().getDistillation());
    assertFalse(fromBinary.getForbiddenTeacherOverride());
    assertEquals(10, fromBinary.getTopK(), "top-k defaults to every class");
    assertEquals(1f, fromBinary.getTemperature());
    assertEquals(1, fromBinary.getPositions());
    assertEquals(DistilleryTopics.PROMPTS, fromBinary.getSource().getTopic());
    assertEquals(binaryOffset, fromBinary.getSource().getOffset());
    assertTrue(fromBinary.getLabelledAtMs() > System.currentTimeMillis() - 60_000);
    assertDistribution(Prompts.pixels(1), fromBinary);

    assertEquals(1, labels.get(json.getId()).size());
    SoftLabelEvent fromJson = SoftLabelEvent.parseFrom(labels.get(json.getId()).get(0).value());
    assertFalse(fromJson.hasLabel(), "no label in the prompt, none in the soft label");
    assertEquals("unnamed", fromJson.getDataset(), "default dataset for prompts without one");
    assertDistribution(Prompts.pixels(2), fromJson);
  }

  @Test
  void pollBatchesFillTeacherRequestsUpToItsLimitWithSeveralInFlight() throws Exception {
    teacher.latency(Duration.ofMillis(300));
    String run = Prompts.runId("batching");
    Map<String, byte[]> prompts = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      prompts.put(run + i, Prompts.image(run + i, i).toByteArray());
    }

    KafkaTopics.sendTogether(bootstrap, DistilleryTopics.PROMPTS, prompts);
    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        KafkaTopics.awaitKeys(
            bootstrap, DistilleryTopics.SOFT_LABELS, prompts.keySet(), Duration.ofSeconds(30));

    assertEquals(prompts.keySet(), labels.keySet());
    List<Integer> sizes = teacher.batchSizes();
    assertEquals(30, sizes.stream().mapToInt(Integer::intValue).sum(), "sizes " + sizes);
    assertTrue(sizes.stream().allMatch(size -> size <= FakeTeacher.MAX_BATCH_SIZE), "" + sizes);
    assertTrue(sizes.contains(FakeTeacher.MAX_BATCH_SIZE), "requests are filled: " + sizes);
    assertTrue(teacher.maxConcurrentCalls() >= 2, "several requests in flight");
  }

  private static void assertDistribution(float[] pixels, SoftLabelEvent label) {
    SparseDistribution expected = FakeTeacherModel.label(pixels, 10, 1f);
    SparseDistribution actual =
        SparseCodec.decode(
                label.getDistributions().toByteArray(),
                label.getPositions(),
                SparseCodec.Format.of(label.getDistributionsFormat()))
            .get(0);
    // The quantized format keeps a log-probability to 1/32 nat and clamps those 16 nats below the
    // top, so near-zero classes may tie and swap order: compare probabilities per id.
    assertEquals(Set.copyOf(expected.getIdsList()), Set.copyOf(actual.getIdsList()));
    for (int i = 0; i < expected.getIdsCount(); i++) {
      int id = expected.getIds(i);
      double actualProbability = Math.exp(actual.getLogProbs(actual.getIdsList().indexOf(id)));
      assertEquals(
          Math.exp(expected.getLogProbs(i)), actualProbability, 0.01, "probability of id " + id);
    }
  }
}
