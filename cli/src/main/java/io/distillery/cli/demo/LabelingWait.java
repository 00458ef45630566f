package io.distillery.cli.demo;

import io.distillery.cli.progress.Progress;
import io.distillery.localkafka.DistilleryTopics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until the labeler has committed every prompt on {@code distill.prompts}. The labeler
 * commits a prompt only after its soft labels (or its dead letter) are acknowledged, so this holds
 * however many labels a prompt becomes (a text is cut into several context windows).
 */
final class LabelingWait {

  private LabelingWait() {}

  /** Blocks until the group's committed offsets reach the topic's end; fails on a stall. */
  static void await(DemoStack stack, String group, PrintStream out) throws Exception {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    try (Admin admin = Admin.create(config)) {
      List<TopicPartition> partitions =
          admin
              .describeTopics(List.of(DistilleryTopics.PROMPTS))
              .allTopicNames()
              .get()
              .get(DistilleryTopics.PROMPTS)
              .partitions()
              .stream()
              .map(p -> new TopicPartition(DistilleryTopics.PROMPTS, p.partition()))
              .toList();
      Map<TopicPartition, OffsetSpec> latest =
          partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
      long end =
          admin.listOffsets(latest).all().get().values().stream().mapToLong(r -> r.offset()).sum();
      Properties consumerConfig = new Properties();
      consumerConfig.put(
          org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
          stack.bootstrapServers());
      try (Progress progress = Progress.start("labelling", end, "prompts", out);
          org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> labels =
              new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                  consumerConfig,
                  new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                  new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        long started = System.nanoTime();
        long lastChange = System.nanoTime();
        long done = -1;
        long lastWritten = -1;
        while (true) {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
          long now =
              partitions.stream()
                  .map(committed::get)
                  .mapToLong(o -> o == null ? 0 : o.offset())
                  .sum();
          // A prompt is many windows: the soft labels written so far show the progress within it.
          long written = DemoPipeline.recordCount(labels, DistilleryTopics.SOFT_LABELS);
          if (now != done || written != lastWritten) {
            done = now;
            lastWritten = written;
            lastChange = System.nanoTime();
            progress.stepTo(Math.min(done, end));
            progress.setExtraMessage(
                String.format(
                    java.util.Locale.ROOT,
                    "%,d windows labelled (%.1f/s)",
                    written,
                    written / ((System.nanoTime() - started) / 1e9)));
          }
          if (done >= end) {
            return;
          }
          if (!stack.labeler().isAlive()) {
            throw new IllegalStateException(
                "labeler-service stopped; see " + stack.labeler().log());
          }
          if (System.nanoTime() - lastChange > DemoPipeline.STALL_TIMEOUT.toNanos()) {
            throw new IllegalStateException(
                "labelling made no progress for "
                    + DemoPipeline.STALL_TIMEOUT.toMinutes()
                    + " min at "
                    + done
                    + "/"
                    + end
                    + " prompts; see "
                    + stack.labeler().log()
                    + " and "
                    + stack.teacher().log());
          }
          Thread.sleep(Duration.ofMillis(500).toMillis());
        }
      }
    }
  }
}
