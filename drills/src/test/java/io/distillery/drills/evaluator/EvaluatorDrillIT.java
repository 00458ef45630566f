package io.distillery.drills.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.drills.support.Broker;
import io.distillery.drills.support.DrillReport;
import io.distillery.drills.support.DrillTeacher;
import io.distillery.drills.support.Drills;
import io.distillery.drills.support.JvmProcess;
import io.distillery.drills.support.Kafka;
import io.distillery.drills.support.Ports;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The packaged evaluator-service as its own process, fed duplicated, reordered and corrupt
 * checkpoint events and files, and SIGKILLed in between: every good checkpoint has one evaluation
 * (redeliveries get it back unchanged), every bad one a FAILED event with its reason, and the
 * promotion made by the good ones stays as it was.
 */
class EvaluatorDrillIT {

  static final String JOB = "drill";
  static final Duration WAIT = Duration.ofMinutes(5);

  @Test
  void duplicatedReorderedAndCorruptCheckpointsGiveOneEvaluationEachAndLeavePromotionAlone()
      throws Exception {
    long started = System.nanoTime();
    Path dir = Drills.workDir("evaluator");
    Path root = dir.resolve("checkpoints");
    Random random = new Random(Long.getLong("distillery.drills.seed", 16));
    int teacherGrpc = Ports.free();
    try (Broker broker = new Broker(dir.resolve("kafka"), 1, dir.resolve("logs/kafka.log"));
        JvmProcess teacher =
            JvmProcess.service(
                "teacher",
                Drills.quarkusApp("teacher-service"),
                Ports.free(),
                teacherGrpc,
                Map.of(
                    "distillery.teacher.model-dir",
                    DrillTeacher.modelDir().toString(),
                    "distillery.teacher.engine",
                    "OnnxRuntime"),
                List.of("-Xmx1g"),
                dir.resolve("logs/teacher.log"))) {
      broker.start();
      teacher.start();
      JvmProcess evaluator =
          JvmProcess.service(
              "evaluator",
              Drills.quarkusApp("evaluator-service"),
              Ports.free(),
              Ports.free(),
              Map.of(
                  "kafka.bootstrap.servers",
                  broker.bootstrapServers(),
                  "quarkus.grpc.clients.teacher.host",
                  "127.0.0.1",
                  "quarkus.grpc.clients.teacher.port",
                  Integer.toString(teacherGrpc),
                  "distillery.evaluator.eval-set.data-dir",
                  FashionMnistLocator.locate().toString(),
                  "distillery.evaluator.eval-set.limit",
                  "500",
                  "distillery.evaluator.teacher.cache-dir",
                  dir.resolve("cache").toString(),
                  "mp.messaging.incoming.checkpoints.session.timeout.ms",
                  "10000",
                  "mp.messaging.incoming.checkpoints.heartbeat.interval.ms",
                  "2000"),
              List.of("-Xmx1g", "-Dai.djl.pytorch.num_threads=1"),
              dir.resolve("logs/evaluator.log"));
      try {
        teacher.awaitReady(Duration.ofMinutes(3));
        evaluator.start().awaitReady(Duration.ofMinutes(3));
        String bootstrap = broker.bootstrapServers();

        // Phase 1: three good checkpoints, announced out of order (30, 10, 20).
        Map<Long, Checkpoint> good = new LinkedHashMap<>();
        for (long step : List.of(30L, 10L, 20L)) {
          good.put(step, DrillCheckpoints.write(root, JOB, step, (int) step));
        }
        send(
            bootstrap,
            List.of(
                out(event(good.get(30L))), out(event(good.get(10L))), out(event(good.get(20L)))));
        awaitConsumed(bootstrap, evaluator);
        Map<String, EvaluationEvent> first = studentEvaluations(bootstrap);
        assertEquals(3, first.size(), "one evaluation per good checkpoint: " + first.keySet());
        for (EvaluationEvent evaluation : first.values()) {
          assertEquals(
              EvaluationStatus.EVALUATION_OK, evaluation.getStatus(), evaluation.toString());
        }
        byte[] promoted = Files.readAllBytes(root.resolve(JOB).resolve("promoted"));

        // Phase 2: duplicates of the good ones and corrupt events and files, interleaved, with the
        // evaluator SIGKILLed half way and started again.
        Map<String, String> expectedFailure = new LinkedHashMap<>();
        List<Kafka.Out> faults = new ArrayList<>();
        for (Checkpoint checkpoint : good.values()) {
          faults.add(out(event(checkpoint)));
        }
        Checkpoint truncated = DrillCheckpoints.write(root, JOB, 40, 40);
        Path params = truncated.dir().resolve("student.params");
        Files.write(params, java.util.Arrays.copyOf(Files.readAllBytes(params), 100));
        faults.add(out(event(truncated)));
        expectedFailure.put(event(truncated).getManifestSha256(), "digest-mismatch");
        Checkpoint noManifest = DrillCheckpoints.write(root, JOB, 50, 50);
        Files.delete(noManifest.dir().resolve("manifest.json"));
        faults.add(out(event(noManifest)));
        expectedFailure.put(event(noManifest).getManifestSha256(), "missing-manifest");
        Checkpoint garbage = DrillCheckpoints.writeGarbage(root, JOB, 60);
        faults.add(out(event(garbage)));
        expectedFailure.put(event(garbage).getManifestSha256(), "unloadable-parameters");
        CheckpointEvent wrongSha =
            event(good.get(20L)).toBuilder().setStep(70).setManifestSha256("f".repeat(64)).build();
        faults.add(out(wrongSha));
        expectedFailure.put(wrongSha.getManifestSha256(), "manifest-mismatch");
        CheckpointEvent elsewhere =
            event(good.get(10L)).toBuilder()
                .setStep(80)
                .setManifestSha256("e".repeat(64))
                .setUri("s3://bucket/drill/step-80/")
                .build();
        faults.add(out(elsewhere));
        expectedFailure.put(elsewhere.getManifestSha256(), "bad-uri");
        CheckpointEvent gone =
            event(good.get(10L)).toBuilder()
                .setStep(90)
                .setManifestSha256("c".repeat(64))
                .setUri(root.resolve(JOB).resolve("step-90").toUri().toString())
                .build();
        faults.add(out(gone));
        expectedFailure.put(gone.getManifestSha256(), "missing-checkpoint");
        byte[] noise = new byte[64];
        random.nextBytes(noise);
        noise[0] = 0x0f;
        faults.add(new Kafka.Out(JOB, noise));
        java.util.Collections.shuffle(faults, random);

        int half = faults.size() / 2;
        send(bootstrap, faults.subList(0, half));
        awaitConsumed(bootstrap, evaluator);
        assertEquals(137, evaluator.kill(), "SIGKILL evaluator");
        send(bootstrap, faults.subList(half, faults.size()));
        send(bootstrap, List.of(out(event(good.get(30L))))); // redelivered after the restart
        evaluator.start().awaitReady(Duration.ofMinutes(3));
        awaitConsumed(bootstrap, evaluator);

        List<EvaluationEvent> all = evaluations(bootstrap);
        int duplicates = 0;
        for (EvaluationEvent evaluation : all) {
          if (evaluation.getSubject() != EvaluationSubject.SUBJECT_STUDENT
              || evaluation.getStatus() != EvaluationStatus.EVALUATION_OK) {
            continue;
          }
          EvaluationEvent original = first.get(evaluation.getCheckpointSha256());
          assertEquals(original, evaluation, "a redelivered checkpoint gets its evaluation back");
          duplicates++;
        }
        duplicates -= first.size();
        assertTrue(duplicates >= 4, "the duplicates were answered: " + duplicates);
        try (var records = Files.list(root.resolve(JOB).resolve("evaluations"))) {
          assertEquals(3, records.count(), "one evaluation record per good checkpoint");
        }
        Map<String, List<String>> failures = new HashMap<>();
        for (EvaluationEvent evaluation : all) {
          if (evaluation.getStatus() == EvaluationStatus.EVALUATION_FAILED) {
            failures
                .computeIfAbsent(evaluation.getCheckpointSha256(), k -> new ArrayList<>())
                .add(evaluation.getFailureReason());
          }
        }
        for (Map.Entry<String, String> expected : expectedFailure.entrySet()) {
          List<String> reasons = failures.get(expected.getKey());
          assertTrue(reasons != null, "a FAILED event for " + expected.getValue());
          for (String reason : reasons) {
            assertTrue(
                reason.startsWith(expected.getValue() + ":"),
                "reason " + reason + ", expected " + expected.getValue());
          }
        }
        assertTrue(
            all.stream().anyMatch(e -> e.getFailureReason().startsWith("undecodable:")),
            "the undecodable record got a FAILED event");
        assertEquals(
            new String(promoted),
            new String(Files.readAllBytes(root.resolve(JOB).resolve("promoted"))),
            "promotion unchanged");
        assertEquals(200, evaluator.readiness(), "the evaluator is ready");
        long failed = failures.values().stream().mapToLong(List::size).sum();
        DrillReport.record(
            "evaluator faults",
            "3 good + "
                + (expectedFailure.size() + 1)
                + " bad checkpoints, "
                + faults.size()
                + " + 1 events",
            "1 evaluator",
            all.size(),
            0,
            duplicates,
            Duration.ofNanos(System.nanoTime() - started),
            "one evaluation record per good checkpoint, "
                + failed
                + " FAILED events with reasons, promotion unchanged");
      } finally {
        evaluator.close();
      }
    }
  }

  private static CheckpointEvent event(Checkpoint checkpoint) {
    return checkpoint.event();
  }

  private static Kafka.Out out(CheckpointEvent event) {
    return new Kafka.Out(event.getJobId(), event.toByteArray());
  }

  private static void send(String bootstrap, List<Kafka.Out> records) throws Exception {
    Kafka.write(bootstrap, DistilleryTopics.CHECKPOINTS, records);
  }

  /** Waits until the evaluator's group committed the end of the checkpoint topic. */
  private static void awaitConsumed(String bootstrap, JvmProcess evaluator) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<Integer, Long> end = Kafka.endOffsets(bootstrap, DistilleryTopics.CHECKPOINTS);
      Map<Integer, Long> committed =
          Kafka.committed(bootstrap, "distillery-evaluator", DistilleryTopics.CHECKPOINTS);
      if (end.equals(committed)) {
        return;
      }
      assertTrue(evaluator.isAlive(), "evaluator died; see " + evaluator.log());
      assertTrue(System.nanoTime() < deadline, "evaluator did not catch up: " + committed);
      Thread.sleep(300);
    }
  }

  private static List<EvaluationEvent> evaluations(String bootstrap) throws Exception {
    List<EvaluationEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record :
        Kafka.readAll(bootstrap, DistilleryTopics.EVALUATIONS)) {
      events.add(EvaluationEvent.parseFrom(record.value()));
    }
    return events;
  }

  private static Map<String, EvaluationEvent> studentEvaluations(String bootstrap)
      throws Exception {
    Map<String, EvaluationEvent> bySha = new LinkedHashMap<>();
    for (EvaluationEvent evaluation : evaluations(bootstrap)) {
      if (evaluation.getSubject() == EvaluationSubject.SUBJECT_STUDENT) {
        EvaluationEvent earlier = bySha.putIfAbsent(evaluation.getCheckpointSha256(), evaluation);
        assertTrue(earlier == null || earlier.equals(evaluation), "same evaluation");
      }
    }
    return bySha;
  }
}
