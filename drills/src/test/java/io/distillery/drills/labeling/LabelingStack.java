package io.distillery.drills.labeling;

import io.distillery.drills.support.Broker;
import io.distillery.drills.support.DrillTeacher;
import io.distillery.drills.support.Drills;
import io.distillery.drills.support.JvmProcess;
import io.distillery.drills.support.Kafka;
import io.distillery.drills.support.Ports;
import io.distillery.localkafka.DistilleryTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Broker, teacher and labeler as three processes on fixed ports, each of which a drill can SIGKILL
 * and start again.
 */
final class LabelingStack implements AutoCloseable {

  static final Duration START = Duration.ofMinutes(3);
  static final String LABELER_GROUP = "distillery-labeler";
  static final int MAX_PROMPT_BYTES = 65_536;

  final Broker broker;
  final JvmProcess teacher;
  final JvmProcess labeler;

  LabelingStack(Path dir) throws Exception {
    broker = new Broker(dir.resolve("kafka"), 2, dir.resolve("logs/kafka.log"));
    int teacherGrpc = Ports.free();
    teacher =
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
            dir.resolve("logs/teacher.log"));
    labeler =
        JvmProcess.service(
            "labeler",
            Drills.quarkusApp("labeler-service"),
            Ports.free(),
            Ports.free(),
            Map.of(
                "kafka.bootstrap.servers",
                broker.bootstrapServers(),
                "quarkus.grpc.clients.teacher.host",
                "127.0.0.1",
                "quarkus.grpc.clients.teacher.port",
                Integer.toString(teacherGrpc),
                "distillery.labeler.max-prompt-bytes",
                Integer.toString(MAX_PROMPT_BYTES),
                // Come back quickly after a teacher outage: drills bounce it on purpose.
                "distillery.labeler.teacher.outage-backoff.max",
                "2s",
                "distillery.labeler.teacher.describe-backoff.max",
                "2s"),
            List.of("-Xmx1g"),
            dir.resolve("logs/labeler.log"));
  }

  LabelingStack start() throws Exception {
    broker.start();
    teacher.start();
    labeler.start();
    teacher.awaitReady(START);
    labeler.awaitReady(START);
    return this;
  }

  String bootstrap() {
    return broker.bootstrapServers();
  }

  /** Labels written so far (records, duplicates included). */
  long softLabelRecords() throws Exception {
    return Kafka.endOffsets(bootstrap(), DistilleryTopics.SOFT_LABELS).values().stream()
        .mapToLong(Long::longValue)
        .sum();
  }

  /** Waits until the labeler's group has committed the end of the prompt topic. */
  void awaitCaughtUp(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Integer, Long> end = Map.of();
    Map<Integer, Long> committed = Map.of();
    while (System.nanoTime() < deadline) {
      end = Kafka.endOffsets(bootstrap(), DistilleryTopics.PROMPTS);
      committed = Kafka.committed(bootstrap(), LABELER_GROUP, DistilleryTopics.PROMPTS);
      if (end.equals(committed)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "the labeler did not catch up in " + timeout + ": committed " + committed + " of " + end);
  }

  @Override
  public void close() throws Exception {
    labeler.close();
    teacher.close();
    broker.close();
  }
}
