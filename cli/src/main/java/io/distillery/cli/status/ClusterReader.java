package io.distillery.cli.status;

import io.distillery.cli.kafka.KafkaAdmins;
import io.distillery.cli.kafka.KafkaClientSettings;
import io.distillery.cli.kafka.KafkaUnavailableException;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.EventDecoder;
import io.distillery.proto.v1.EvaluationEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a {@link ClusterStatus} from a cluster with Kafka's admin client and one consumer. */
public final class ClusterReader {

  private ClusterReader() {}

  /**
   * Reads the status of a cluster.
   *
   * @param bootstrapServers the cluster
   * @param timeout how long each step may wait for the broker
   * @return the snapshot
   * @throws KafkaUnavailableException if the cluster does not answer in time (one-line message)
   */
  public static ClusterStatus read(String bootstrapServers, Duration timeout) {
    Instant readAt = Instant.now();
    try (Admin admin = KafkaAdmins.connect(bootstrapServers, timeout)) {
      int brokers =
          KafkaAdmins.get(
                  admin.describeCluster().nodes(),
                  bootstrapServers,
                  timeout,
                  "describe the cluster")
              .size();
      Set<String> names =
          new TreeSet<>(
              KafkaAdmins.get(
                  admin.listTopics().names(), bootstrapServers, timeout, "list topics"));
      Map<String, TopicDescription> descriptions =
          names.isEmpty()
              ? Map.of()
              : KafkaAdmins.get(
                  admin.describeTopics(names).allTopicNames(),
                  bootstrapServers,
                  timeout,
                  "describe topics");
      List<TopicPartition> partitions = new ArrayList<>();
      descriptions
          .values()
          .forEach(
              d ->
                  d.partitions()
                      .forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
      Map<TopicPartition, Long> begin =
          offsets(admin, partitions, OffsetSpec.earliest(), bootstrapServers, timeout);
      Map<TopicPartition, Long> end =
          offsets(admin, partitions, OffsetSpec.latest(), bootstrapServers, timeout);

      List<ClusterStatus.TopicStatus> topics = new ArrayList<>();
      List<String> ordered = new ArrayList<>(DistilleryTopics.ALL);
      names.stream().filter(n -> !DistilleryTopics.ALL.contains(n)).forEach(ordered::add);
      for (String name : ordered) {
        TopicDescription d = descriptions.get(name);
        if (d == null) {
          topics.add(new ClusterStatus.TopicStatus(name, false, 0, 0));
          continue;
        }
        long records = 0;
        for (var p : d.partitions()) {
          TopicPartition tp = new TopicPartition(name, p.partition());
          records += end.getOrDefault(tp, 0L) - begin.getOrDefault(tp, 0L);
        }
        topics.add(new ClusterStatus.TopicStatus(name, true, d.partitions().size(), records));
      }

      List<ClusterStatus.GroupStatus> groups = groups(admin, bootstrapServers, timeout, begin, end);

      Map<String, EvaluationEvent> latest = new TreeMap<>();
      int[] undecodable = {0};
      TopicDescription evaluations = descriptions.get(DistilleryTopics.EVALUATIONS);
      if (evaluations != null) {
        readEvaluations(bootstrapServers, timeout, evaluations, begin, end, latest, undecodable);
      }
      return new ClusterStatus(
          bootstrapServers, readAt, brokers, topics, groups, latest, undecodable[0]);
    }
  }

  private static Map<TopicPartition, Long> offsets(
      Admin admin,
      Collection<TopicPartition> partitions,
      OffsetSpec spec,
      String bootstrapServers,
      Duration timeout) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResultInfo> result =
        KafkaAdmins.get(
            admin.listOffsets(request).all(), bootstrapServers, timeout, "list offsets");
    Map<TopicPartition, Long> offsets = new HashMap<>();
    result.forEach((tp, info) -> offsets.put(tp, info.offset()));
    return offsets;
  }

  private static List<ClusterStatus.GroupStatus> groups(
      Admin admin,
      String bootstrapServers,
      Duration timeout,
      Map<TopicPartition, Long> begin,
      Map<TopicPartition, Long> end) {
    Collection<GroupListing> listings =
        KafkaAdmins.get(
            admin.listGroups(ListGroupsOptions.forConsumerGroups()).all(),
            bootstrapServers,
            timeout,
            "list consumer groups");
    List<String> ids =
        listings.stream()
            .map(GroupListing::groupId)
            .filter(id -> id.startsWith(ClusterStatus.GROUP_PREFIX))
            .sorted()
            .toList();
    if (ids.isEmpty()) {
      return List.of();
    }
    Map<String, ConsumerGroupDescription> described =
        KafkaAdmins.get(
            admin.describeConsumerGroups(ids).all(),
            bootstrapServers,
            timeout,
            "describe consumer groups");
    List<ClusterStatus.GroupStatus> groups = new ArrayList<>();
    for (String id : ids) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          KafkaAdmins.get(
              admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata(),
              bootstrapServers,
              timeout,
              "list the offsets of group " + id);
      // Partitions of a committed topic that the group never committed still count as lag.
      Set<String> topics =
          committed.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet());
      Map<String, Long> lag = new TreeMap<>();
      for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
        TopicPartition tp = e.getKey();
        if (!topics.contains(tp.topic())) {
          continue;
        }
        OffsetAndMetadata offset = committed.get(tp);
        long from = offset == null ? begin.getOrDefault(tp, 0L) : offset.offset();
        lag.merge(tp.topic(), Math.max(0, e.getValue() - from), Long::sum);
      }
      ConsumerGroupDescription d = described.get(id);
      groups.add(
          new ClusterStatus.GroupStatus(
              id, d == null ? "unknown" : stateName(d), d == null ? 0 : d.members().size(), lag));
    }
    return groups;
  }

  private static String stateName(ConsumerGroupDescription d) {
    String name = d.groupState() == null ? "UNKNOWN" : d.groupState().name();
    return name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
  }

  private static void readEvaluations(
      String bootstrapServers,
      Duration timeout,
      TopicDescription topic,
      Map<TopicPartition, Long> begin,
      Map<TopicPartition, Long> end,
      Map<String, EvaluationEvent> latest,
      int[] undecodable) {
    List<TopicPartition> partitions = new ArrayList<>();
    Map<TopicPartition, Long> remaining = new HashMap<>();
    for (var p : topic.partitions()) {
      TopicPartition tp = new TopicPartition(topic.name(), p.partition());
      long from =
          Math.max(
              begin.getOrDefault(tp, 0L),
              end.getOrDefault(tp, 0L) - ClusterStatus.EVALUATIONS_PER_PARTITION);
      if (end.getOrDefault(tp, 0L) > from) {
        partitions.add(tp);
        remaining.put(tp, from);
      }
    }
    if (partitions.isEmpty()) {
      return;
    }
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "distillery-cli-status");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaClientSettings.applyTo(config);
    EventDecoder<EvaluationEvent> decoder =
        new EventDecoder<>(EvaluationEvent.getDefaultInstance());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(partitions);
      remaining.forEach(consumer::seek);
      Set<TopicPartition> pending = new java.util.HashSet<>(partitions);
      while (!pending.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new KafkaUnavailableException(
              "cannot read "
                  + topic.name()
                  + " on "
                  + bootstrapServers
                  + " within "
                  + timeout.toSeconds()
                  + " s");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (decoder.decode(record.value()) instanceof Decoded.Ok<EvaluationEvent> ok) {
            EvaluationEvent event = ok.value();
            String job =
                event.getJobId().isEmpty() ? String.valueOf(record.key()) : event.getJobId();
            EvaluationEvent previous = latest.get(job);
            if (previous == null || event.getEvaluatedAtMs() >= previous.getEvaluatedAtMs()) {
              latest.put(job, event);
            }
          } else {
            undecodable[0]++;
          }
        }
        pending.removeIf(tp -> consumer.position(tp) >= end.get(tp));
      }
    } catch (KafkaException e) {
      throw new KafkaUnavailableException(
          "cannot read " + topic.name() + " on " + bootstrapServers + ": " + e.getMessage(), e);
    }
  }
}
