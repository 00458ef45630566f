package io.distillery.drills.labeling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.drills.support.DrillReport;
import io.distillery.drills.support.Drills;
import io.distillery.drills.support.FashionPrompts;
import io.distillery.drills.support.Kafka;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.v1.SoftLabelEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Labelling under faults, through the packaged teacher and labeler and the broker, each its own
 * process: malformed input at volume, the teacher SIGKILLed mid-labelling, then the labeler
 * SIGKILLed and the broker hard-killed in turns. Each drill writes its own prompt ids and checks
 * only those.
 *
 * <p>The labeler is at-least-once by design: it commits a prompt's offset only after the broker
 * acknowledged its soft label (acks=all, idempotent producer), so a kill between the two makes the
 * restarted labeler label that prompt again. The duplicate has the same key, and trainers and the
 * log's compaction treat keys as the identity; a transactional labeler (offsets committed in the
 * label-writing transaction) would remove duplicates at the price of read_committed consumers and a
 * transaction per poll batch, which the design does not pay for. The drills count the duplicates
 * rather than assume none.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabelingDrillIT {

  static LabelingStack stack;
  static final Random RANDOM = new Random(Long.getLong("distillery.drills.seed", 16));

  @BeforeAll
  static void startStack() throws Exception {
    stack = new LabelingStack(Drills.workDir("labeling")).start();
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void malformedPromptsAtVolumeGoToTheDeadLetterTopicWithReasonAndHeaders() throws Exception {
    long started = System.nanoTime();
    int badCount = 1_000;
    int goodCount = Drills.size(1_000, 5_000);
    List<MalformedPrompts.Bad> bad =
        MalformedPrompts.make(badCount, LabelingStack.MAX_PROMPT_BYTES, RANDOM.nextLong());
    List<Kafka.Out> records = new ArrayList<>();
    for (int i = 0, b = 0, g = 0; b < badCount || g < goodCount; i++) {
      // Interleaved: bad ones spread evenly among the good ones.
      if (b < badCount && (g >= goodCount || (long) b * goodCount <= (long) g * badCount)) {
        MalformedPrompts.Bad one = bad.get(b);
        records.add(
            new Kafka.Out(
                "bad-" + b, one.value(), Map.of("drill-case", one.kind(), "drill-seq", "" + b)));
        b++;
      } else {
        records.add(new Kafka.Out("ok-" + g, FashionPrompts.prompt("ok", g).toByteArray()));
        g++;
      }
    }
    Kafka.write(stack.bootstrap(), DistilleryTopics.PROMPTS, records);
    stack.awaitCaughtUp(Duration.ofMinutes(5));

    Map<String, List<ConsumerRecord<String, byte[]>>> dead =
        byKey(Kafka.readAll(stack.bootstrap(), DistilleryTopics.PROMPTS_DLQ), "bad-");
    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        byKey(Kafka.readAll(stack.bootstrap(), DistilleryTopics.SOFT_LABELS), "ok-");
    Map<String, Integer> reasons = new TreeMap<>();
    for (int b = 0; b < badCount; b++) {
      List<ConsumerRecord<String, byte[]>> letters = dead.get("bad-" + b);
      MalformedPrompts.Bad one = bad.get(b);
      assertNotNull(letters, "bad-" + b + " (" + one.kind() + ") is in the dead-letter topic");
      assertEquals(1, letters.size(), "bad-" + b + " dead-lettered once");
      ConsumerRecord<String, byte[]> letter = letters.get(0);
      String reason = Kafka.header(letter, "distillery.dlq.reason");
      assertTrue(
          one.reasons().isEmpty() || one.reasons().contains(reason),
          one.kind() + " got reason " + reason + ", expected one of " + one.reasons());
      assertTrue(!Kafka.header(letter, "distillery.dlq.message").isBlank(), "a message says what");
      assertEquals(one.kind(), Kafka.header(letter, "drill-case"), "original header kept");
      assertEquals("" + b, Kafka.header(letter, "drill-seq"), "original header kept");
      assertArrayEquals(one.value(), letter.value(), "the original bytes");
      reasons.merge(one.kind() + "→" + reason, 1, Integer::sum);
    }
    assertEquals(badCount, dead.size(), "no other dead letters");
    for (int g = 0; g < goodCount; g++) {
      List<ConsumerRecord<String, byte[]>> label = labels.get("ok-" + g);
      assertNotNull(label, "ok-" + g + " is labelled");
      assertEquals(1, label.size(), "ok-" + g + " labelled once (no fault in this drill)");
      assertEquals("ok-" + g, SoftLabelEvent.parseFrom(label.get(0).value()).getPromptId());
    }
    assertEquals(goodCount, labels.size(), "no other labels");
    assertEquals(200, stack.labeler.readiness(), "the labeler is still ready");
    assertTrue(stack.labeler.isAlive());
    System.out.println("dead-letter reasons by kind: " + reasons);
    assertTrue(
        reasons.keySet().stream().map(k -> k.substring(0, k.indexOf('→'))).distinct().count()
            >= MalformedPrompts.kindCount(),
        "every kind was sent: " + reasons.keySet());
    DrillReport.record(
        "malformed input",
        badCount
            + " malformed ("
            + MalformedPrompts.kindCount()
            + " kinds) + "
            + goodCount
            + " valid",
        "0",
        badCount + goodCount,
        0,
        0,
        Duration.ofNanos(System.nanoTime() - started),
        "every malformed one dead-lettered once with its reason, bytes and headers");
  }

  @Test
  @Order(2)
  void theTeacherKilledMidLabellingLosesAndDeadLettersNothing() throws Exception {
    long started = System.nanoTime();
    int prompts = Drills.size(4_000, 20_000);
    int kills = Drills.size(2, 3);
    writePrompts("tk", prompts);
    long before = stack.softLabelRecords();
    int done = 0;
    for (int k = 0; k < kills; k++) {
      awaitProgress(before, prompts / (kills + 2) / 2, Duration.ofMinutes(3));
      Thread.sleep(RANDOM.nextInt(300));
      assertEquals(137, stack.teacher.kill(), "SIGKILL");
      done++;
      Thread.sleep(500 + RANDOM.nextInt(1500)); // the labeler sees the outage
      stack.teacher.start().awaitReady(LabelingStack.START);
      before = stack.softLabelRecords();
    }
    stack.awaitCaughtUp(Duration.ofMinutes(10));

    Counts counts = checkLabelled("tk", prompts);
    assertEquals(kills, done);
    DrillReport.record(
        "teacher SIGKILL",
        prompts + " prompts",
        done + " teacher",
        prompts,
        counts.lost,
        counts.duplicated,
        Duration.ofNanos(System.nanoTime() - started),
        "none dead-lettered");
  }

  @Test
  @Order(3)
  void theLabelerAndTheBrokerKilledInTurnsLabelEveryPromptAtLeastOnce() throws Exception {
    long started = System.nanoTime();
    int prompts = Drills.size(6_000, 100_000);
    int kills = Drills.size(2, 3);
    writePrompts("lb", prompts);
    long before = stack.softLabelRecords();
    int labelerKills = 0;
    int brokerKills = 0;
    for (int k = 0; k < 2 * kills; k++) {
      awaitProgress(before, prompts / (2 * kills + 2) / 2, Duration.ofMinutes(5));
      Thread.sleep(RANDOM.nextInt(300));
      if (k % 2 == 0) {
        assertEquals(137, stack.labeler.kill(), "SIGKILL labeler");
        labelerKills++;
        stack.labeler.start().awaitReady(LabelingStack.START);
      } else {
        assertEquals(137, stack.broker.kill(), "SIGKILL broker");
        brokerKills++;
        Thread.sleep(500 + RANDOM.nextInt(1500));
        stack.broker.start();
      }
      before = stack.softLabelRecords();
    }
    stack.awaitCaughtUp(Duration.ofMinutes(15));

    Counts counts = checkLabelled("lb", prompts);
    assertEquals(kills, labelerKills);
    assertEquals(kills, brokerKills);
    DrillReport.record(
        "labeler + broker SIGKILL",
        prompts + " prompts",
        labelerKills + " labeler + " + brokerKills + " broker",
        prompts,
        counts.lost,
        counts.duplicated,
        Duration.ofNanos(System.nanoTime() - started),
        "at-least-once: duplicates are re-labelled prompts with the same key; none dead-lettered");
  }

  // ---- helpers ------------------------------------------------------------------------------

  record Counts(long lost, long duplicated) {}

  /** Every prompt of the prefix has a label, none is dead-lettered; returns lost and duplicates. */
  private static Counts checkLabelled(String prefix, int prompts) throws Exception {
    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        byKey(Kafka.readAll(stack.bootstrap(), DistilleryTopics.SOFT_LABELS), prefix + "-");
    Map<String, List<ConsumerRecord<String, byte[]>>> dead =
        byKey(Kafka.readAll(stack.bootstrap(), DistilleryTopics.PROMPTS_DLQ), prefix + "-");
    long lost = 0;
    long records = 0;
    for (int i = 0; i < prompts; i++) {
      List<ConsumerRecord<String, byte[]>> label = labels.get(prefix + "-" + i);
      if (label == null) {
        lost++;
        continue;
      }
      records += label.size();
      for (ConsumerRecord<String, byte[]> copy : label) {
        assertEquals(prefix + "-" + i, SoftLabelEvent.parseFrom(copy.value()).getPromptId());
      }
    }
    assertEquals(Map.of(), dead, "nothing dead-lettered");
    assertEquals(0, lost, "prompts without a soft label");
    assertEquals(prompts, labels.size(), "no label for an id that was never a prompt");
    long duplicated = records - prompts;
    System.out.printf(
        "%s: %d prompts, %d label records, %d duplicates%n", prefix, prompts, records, duplicated);
    return new Counts(lost, duplicated);
  }

  private static void writePrompts(String prefix, int count) throws Exception {
    int chunk = 5_000;
    for (int from = 0; from < count; from += chunk) {
      List<Kafka.Out> records = new ArrayList<>(chunk);
      for (int i = from; i < Math.min(count, from + chunk); i++) {
        records.add(
            new Kafka.Out(prefix + "-" + i, FashionPrompts.prompt(prefix, i).toByteArray()));
      }
      Kafka.write(stack.bootstrap(), DistilleryTopics.PROMPTS, records);
    }
  }

  /** Waits until at least {@code labels} more soft labels were written since {@code before}. */
  private static void awaitProgress(long before, long labels, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (stack.softLabelRecords() < before + labels) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no progress of " + labels + " labels in " + timeout);
      }
      Thread.sleep(50);
    }
  }

  private static Map<String, List<ConsumerRecord<String, byte[]>>> byKey(
      List<ConsumerRecord<String, byte[]>> records, String prefix) {
    Map<String, List<ConsumerRecord<String, byte[]>>> byKey = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      if (record.key() != null && record.key().startsWith(prefix)) {
        byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
      }
    }
    return byKey;
  }
}
