package io.distillery.labeler.deadletter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.support.KafkaTopics;
import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input lands on the real dead-letter topic with its original bytes and headers,
 * while the good prompts written between them are labelled.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
class DeadLetterTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  FakeTeacher teacher;

  @Inject MeterRegistry registry;

  @BeforeEach
  void healthyTeacher() {
    teacher.reset();
  }

  /** A bad record and the reason it must be dead-lettered with. */
  private record Bad(String key, byte[] value, String reason, String messagePart) {}

  @Test
  void eachBadInputKindIsDeadLetteredWithHeadersWhileGoodPromptsAroundItAreLabelled()
      throws Exception {
    String run = Prompts.runId("dlq");
    List<Bad> bad = badInputs(run);
    Map<String, Double> countsBefore = new LinkedHashMap<>();
    bad.forEach(b -> countsBefore.put(b.reason(), dlqCount(b.reason())));

    List<String> good = new ArrayList<>();
    Map<String, Long> offsets = new LinkedHashMap<>();
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      for (int i = 0; i < bad.size(); i++) {
        String goodId = run + "good-" + i;
        good.add(goodId);
        writer.send(DistilleryTopics.PROMPTS, goodId, Prompts.image(goodId, i).toByteArray());
        Bad record = bad.get(i);
        offsets.put(
            record.key(),
            writer.send(DistilleryTopics.PROMPTS, record.key(), record.value()).offset());
      }
      String last = run + "good-last";
      good.add(last);
      writer.send(DistilleryTopics.PROMPTS, last, Prompts.image(last, 99).toByteArray());
    }

    Map<String, List<ConsumerRecord<String, byte[]>>> letters =
        KafkaTopics.awaitKeys(
            bootstrap,
            DistilleryTopics.PROMPTS_DLQ,
            bad.stream().map(Bad::key).toList(),
            Duration.ofSeconds(30));
    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        KafkaTopics.awaitKeys(
            bootstrap, DistilleryTopics.SOFT_LABELS, good, Duration.ofSeconds(30));

    for (Bad record : bad) {
      List<ConsumerRecord<String, byte[]>> dead = letters.get(record.key());
      assertNotNull(dead, record.reason() + " was not dead-lettered");
      assertEquals(1, dead.size(), record.reason() + " dead-lettered once");
      ConsumerRecord<String, byte[]> letter = dead.get(0);
      assertArrayEquals(record.value(), letter.value(), record.reason() + ": original bytes");
      assertEquals(record.reason(), header(letter, DeadLetterHeaders.REASON));
      String message = header(letter, DeadLetterHeaders.MESSAGE);
      assertTrue(
          message.contains(record.messagePart()),
          record.reason() + ": message '" + message + "' names " + record.messagePart());
      if (record.reason().equals("empty")) {
        assertNull(letter.headers().lastHeader(DeadLetterHeaders.EXCEPTION_CLASS));
      } else {
        assertFalse(header(letter, DeadLetterHeaders.EXCEPTION_CLASS).isBlank());
      }
      assertEquals(DistilleryTopics.PROMPTS, header(letter, DeadLetterHeaders.SOURCE_TOPIC));
      assertEquals("0", header(letter, DeadLetterHeaders.SOURCE_PARTITION));
      assertEquals(
          Long.toString(offsets.get(record.key())),
          header(letter, DeadLetterHeaders.SOURCE_OFFSET));
      assertNull(labels.get(record.key()), record.reason() + " must not be labelled");
    }
    assertEquals(good.size(), labels.size(), "every good prompt is labelled: " + labels.keySet());
    labels.values().forEach(l -> assertEquals(1, l.size()));
    // The counters move when the broker acknowledges, a moment after the records are readable.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              for (Bad record : bad) {
                assertEquals(
                    countsBefore.get(record.reason()) + 1,
                    dlqCount(record.reason()),
                    "counter of " + record.reason());
              }
            });
  }

  private List<Bad> badInputs(String run) throws Exception {
    List<Bad> bad = new ArrayList<>();
    bad.add(new Bad(run + "empty", new byte[0], "empty", "no value"));
    bad.add(new Bad(run + "garbage", new byte[] {0x0F, 0x00}, "malformed-protobuf", "protobuf"));
    bad.add(
        new Bad(run + "truncated", new byte[] {0x0a, 0x10, 0x41}, "truncated-protobuf", "ended"));
    bad.add(
        new Bad(
            run + "json", "{\"id\": ".getBytes(StandardCharsets.UTF_8), "invalid-json", "JSON"));
    bad.add(new Bad(run + "no-id", Prompts.image("", 1).toByteArray(), "missing-id", "'id'"));
    bad.add(
        new Bad(
            run + "no-input",
            PromptEvent.newBuilder().setId(run + "no-input").build().toByteArray(),
            "empty-input",
            "'input'"));
    bad.add(
        new Bad(
            run + "short",
            prompt(run + "short", Tensor.newBuilder().addAllValues(floats(783, 0.5f))),
            "tensor-size-mismatch",
            "783"));
    bad.add(
        new Bad(
            run + "shape",
            prompt(
                run + "shape",
                Tensor.newBuilder()
                    .addShape(28)
                    .addShape(28)
                    .addShape(1)
                    .addAllValues(floats(784, 0.5f))),
            "shape-mismatch",
            "[28, 28, 1]"));
    List<Float> withNaN = floats(784, 0.5f);
    withNaN.set(5, Float.NaN);
    bad.add(
        new Bad(
            run + "nan",
            prompt(run + "nan", Tensor.newBuilder().addAllValues(withNaN)),
            "non-finite-value",
            "values[5]"));
    bad.add(
        new Bad(
            run + "huge",
            prompt(run + "huge", Tensor.newBuilder().addAllValues(floats(20_000, 0.5f))),
            "oversized-input",
            "max-prompt-bytes"));
    bad.add(
        new Bad(
            run + "label",
            Prompts.image(run + "label", 3).toBuilder().setLabel(12).build().toByteArray(),
            "invalid-label",
            "12"));
    bad.add(
        new Bad(
            run + "tokens",
            PromptEvent.newBuilder()
                .setId(run + "tokens")
                .setInput(ModelInput.newBuilder().setTokens(TokenSequence.newBuilder().addIds(3)))
                .build()
                .toByteArray(),
            "input-kind-mismatch",
            "input.tokens"));
    float[] poisoned = Prompts.pixels(7);
    poisoned[0] = LabelerTeacherResource.POISON;
    bad.add(
        new Bad(
            run + "poison",
            PromptEvent.newBuilder()
                .setId(run + "poison")
                .setInput(ModelInput.newBuilder().setTensor(Prompts.tensor(poisoned)))
                .build()
                .toByteArray(),
            "teacher-rejected",
            "tensor.values[0]"));
    return bad;
  }

  private static byte[] prompt(String id, Tensor.Builder tensor) {
    return PromptEvent.newBuilder()
        .setId(id)
        .setInput(ModelInput.newBuilder().setTensor(tensor))
        .build()
        .toByteArray();
  }

  private static List<Float> floats(int count, float value) {
    List<Float> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      values.add(value);
    }
    return values;
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertNotNull(header, "header " + name);
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private double dlqCount(String reason) {
    return registry.counter("distillery_labeler_dlq_records", "reason", reason).count();
  }
}
