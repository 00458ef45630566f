package io.distillery.labeler.teacher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.support.KafkaTopics;
import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A teacher outage in the middle of a run loses nothing: prompts written while it is down are kept
 * (not labelled, not dead-lettered, offsets not committed) and labelled once it is back.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
class TeacherOutageTest {

  private static final String GROUP = "distillery-labeler";

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  FakeTeacher teacher;

  @Inject MeterRegistry registry;

  @AfterEach
  void healthyTeacher() {
    teacher.reset();
  }

  @Test
  void promptsWrittenDuringAnOutageAreHeldAndAllLabelledOnceTheTeacherIsBack() throws Exception {
    teacher.reset();
    String run = Prompts.runId("outage");
    List<String> before = write(run + "before-", 5);
    awaitLabels(before);

    teacher.failWith(Status.UNAVAILABLE);
    double backoffs = registry.counter("distillery_labeler_teacher_backoffs").count();
    long firstHeldOffset;
    List<String> during;
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      firstHeldOffset =
          writer
              .send(
                  DistilleryTopics.PROMPTS,
                  run + "during-0",
                  Prompts.image(run + "during-0", 0).toByteArray())
              .offset();
    }
    during = new ArrayList<>(List.of(run + "during-0"));
    during.addAll(write(run + "during-", 12, 1));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                teacher.failedCalls() >= 3
                    && registry.counter("distillery_labeler_teacher_backoffs").count() > backoffs);
    Thread.sleep(1_000); // the outage lasts several backoff rounds

    assertTrue(
        KafkaTopics.awaitKeys(
                bootstrap, DistilleryTopics.SOFT_LABELS, during, Duration.ofSeconds(1))
            .isEmpty(),
        "nothing is labelled while the teacher is down");
    assertTrue(
        KafkaTopics.awaitKeys(
                bootstrap, DistilleryTopics.PROMPTS_DLQ, during, Duration.ofSeconds(1))
            .isEmpty(),
        "an outage dead-letters nothing");
    long committed = KafkaTopics.committedOffset(bootstrap, GROUP, DistilleryTopics.PROMPTS);
    assertTrue(
        committed <= firstHeldOffset,
        "held prompts are not committed: committed "
            + committed
            + ", first held "
            + firstHeldOffset);

    teacher.failWith(null);
    List<String> after = write(run + "after-", 5);
    List<String> all = new ArrayList<>(before);
    all.addAll(during);
    all.addAll(after);
    Map<String, List<ConsumerRecord<String, byte[]>>> labels = awaitLabels(all);
    labels.forEach((id, records) -> assertEquals(1, records.size(), id + " labelled once"));

    long end = firstHeldOffset + during.size() + after.size();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertTrue(
                    KafkaTopics.committedOffset(bootstrap, GROUP, DistilleryTopics.PROMPTS) >= end,
                    "offsets are committed once the labels are acknowledged"));
  }

  private List<String> write(String prefix, int count) throws Exception {
    return write(prefix, count, 0);
  }

  private List<String> write(String prefix, int count, int first) throws Exception {
    List<String> ids = new ArrayList<>();
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      for (int i = first; i < first + count; i++) {
        String id = prefix + i;
        writer.send(DistilleryTopics.PROMPTS, id, Prompts.image(id, i).toByteArray());
        ids.add(id);
      }
    }
    return ids;
  }

  private Map<String, List<ConsumerRecord<String, byte[]>>> awaitLabels(List<String> ids) {
    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        KafkaTopics.awaitKeys(bootstrap, DistilleryTopics.SOFT_LABELS, ids, Duration.ofSeconds(30));
    assertEquals(
        ids.size(), labels.size(), "every prompt id is labelled; missing: " + missing(ids, labels));
    return labels;
  }

  private static List<String> missing(List<String> ids, Map<String, ?> found) {
    return ids.stream().filter(id -> !found.containsKey(id)).toList();
  }
}
