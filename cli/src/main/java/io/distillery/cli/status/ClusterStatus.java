package io.distillery.cli.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.distillery.cli.kafka.KafkaAdmins;
import io.distillery.cli.kafka.KafkaUnavailableException;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.EventDecoder;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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

/**
 * A snapshot of a Distillery cluster: topics with partitions and record counts, the {@code
 * distillery-*} consumer groups with their lag per topic, and the latest evaluation of every job
 * from {@code distill.evaluations}.
 */
public final class ClusterStatus {

  /** Consumer groups shown: the services' groups all start with this. */
  public static final String GROUP_PREFIX = "distillery-";

  /** Evaluations read back per partition of {@code distill.evaluations}, newest last. */
  static final int EVALUATIONS_PER_PARTITION = 10_000;

  /**
   * One topic.
   *
   * @param name topic name
   * @param exists false for a default Distillery topic the cluster lacks
   * @param partitions partition count
   * @param records end minus beginning offset, summed over partitions
   */
  public record TopicStatus(String name, boolean exists, int partitions, long records) {}

  /**
   * One consumer group.
   *
   * @param group group id
   * @param state group state as the broker reports it (Stable, Empty, ...)
   * @param members active members
   * @param lagByTopic per topic with committed offsets: sum over its partitions of end offset minus
   *     committed offset (a partition without a commit counts from its beginning)
   */
  public record GroupStatus(String group, String state, int members, Map<String, Long> lagByTopic) {
    /** Lag over all topics. */
    public long totalLag() {
      return lagByTopic.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final String bootstrapServers;
  private final Instant readAt;
  private final int brokers;
  private final List<TopicStatus> topics;
  private final List<GroupStatus> groups;
  private final Map<String, EvaluationEvent> latestEvaluations;
  private final int undecodableEvaluations;

  private ClusterStatus(
      String bootstrapServers,
      Instant readAt,
      int brokers,
      List<TopicStatus> topics,
      List<GroupStatus> groups,
      Map<String, EvaluationEvent> latestEvaluations,
      int undecodableEvaluations) {
    this.bootstrapServers = bootstrapServers;
    this.readAt = readAt;
    this.brokers = brokers;
    this.topics = List.copyOf(topics);
    this.groups = List.copyOf(groups);
    this.latestEvaluations = java.util.Collections.unmodifiableMap(latestEvaluations);
    this.undecodableEvaluations = undecodableEvaluations;
  }

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

      List<TopicStatus> topics = new ArrayList<>();
      List<String> ordered = new ArrayList<>(DistilleryTopics.ALL);
      names.stream().filter(n -> !DistilleryTopics.ALL.contains(n)).forEach(ordered::add);
      for (String name : ordered) {
        TopicDescription d = descriptions.get(name);
        if (d == null) {
          topics.add(new TopicStatus(name, false, 0, 0));
          continue;
        }
        long records = 0;
        for (var p : d.partitions()) {
          TopicPartition tp = new TopicPartition(name, p.partition());
          records += end.getOrDefault(tp, 0L) - begin.getOrDefault(tp, 0L);
        }
        topics.add(new TopicStatus(name, true, d.partitions().size(), records));
      }

      List<GroupStatus> groups = groups(admin, bootstrapServers, timeout, begin, end);

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

  private static List<GroupStatus> groups(
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
            .filter(id -> id.startsWith(GROUP_PREFIX))
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
    List<GroupStatus> groups = new ArrayList<>();
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
          new GroupStatus(
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
              begin.getOrDefault(tp, 0L), end.getOrDefault(tp, 0L) - EVALUATIONS_PER_PARTITION);
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

  /** The bootstrap servers read. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** When the snapshot was taken. */
  public Instant readAt() {
    return readAt;
  }

  /** Brokers in the cluster. */
  public int brokers() {
    return brokers;
  }

  /** The five Distillery topics (present or not) first, then every other topic by name. */
  public List<TopicStatus> topics() {
    return topics;
  }

  /** One topic, if the cluster has it. */
  public Optional<TopicStatus> topic(String name) {
    return topics.stream().filter(t -> t.name().equals(name) && t.exists()).findFirst();
  }

  /** The {@code distillery-*} consumer groups, by name. */
  public List<GroupStatus> groups() {
    return groups;
  }

  /** One consumer group. */
  public Optional<GroupStatus> group(String id) {
    return groups.stream().filter(g -> g.group().equals(id)).findFirst();
  }

  /** The latest evaluation of every job id, by job id ("teacher" for the teacher's own score). */
  public Map<String, EvaluationEvent> latestEvaluations() {
    return latestEvaluations;
  }

  /** Records of {@code distill.evaluations} that were not valid evaluation events. */
  public int undecodableEvaluations() {
    return undecodableEvaluations;
  }

  /** A plain-text report: cluster, topics, consumer groups and latest evaluations. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Kafka at %s: %d broker%s, read %s%n%n",
            bootstrapServers,
            brokers,
            brokers == 1 ? "" : "s",
            readAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));

    Table topicTable = new Table("TOPIC", "PARTITIONS", "RECORDS");
    for (TopicStatus t : topics) {
      topicTable.row(
          t.name(),
          t.exists() ? Integer.toString(t.partitions()) : "-",
          t.exists() ? count(t.records()) : "missing");
    }
    topicTable.appendTo(out, 1, 2);

    out.append(System.lineSeparator());
    if (groups.isEmpty()) {
      out.append("No consumer groups named ").append(GROUP_PREFIX).append("*.");
      out.append(System.lineSeparator());
    } else {
      Table groupTable = new Table("CONSUMER GROUP", "STATE", "MEMBERS", "TOPIC", "LAG");
      for (GroupStatus g : groups) {
        if (g.lagByTopic().isEmpty()) {
          groupTable.row(g.group(), g.state(), Integer.toString(g.members()), "-", "-");
        }
        for (Map.Entry<String, Long> lag : g.lagByTopic().entrySet()) {
          groupTable.row(
              g.group(),
              g.state(),
              Integer.toString(g.members()),
              lag.getKey(),
              count(lag.getValue()));
        }
      }
      groupTable.appendTo(out, 2, 4);
    }

    out.append(System.lineSeparator());
    if (latestEvaluations.isEmpty()) {
      out.append("No evaluations in ").append(DistilleryTopics.EVALUATIONS).append(" yet.");
      out.append(System.lineSeparator());
    } else {
      Table evalTable =
          new Table(
              "JOB",
              "STEP",
              "SAMPLES",
              "STATUS",
              "ACCURACY",
              "ERRORS",
              "AGREEMENT",
              "KL",
              "PROMOTED");
      for (EvaluationEvent e : latestEvaluations.values()) {
        boolean ok = e.getStatus() == EvaluationStatus.EVALUATION_OK;
        boolean teacher = e.getSubject() == EvaluationSubject.SUBJECT_TEACHER;
        evalTable.row(
            e.getJobId(),
            teacher ? "-" : count(e.getStep()),
            teacher ? "-" : count(e.getSamplesSeen()),
            ok ? "ok" : e.getStatus() == EvaluationStatus.EVALUATION_FAILED ? "FAILED" : "?",
            ok ? percent(e.getMetrics().getAccuracy()) : "-",
            ok ? count(e.getMetrics().getErrors()) : "-",
            ok && !teacher ? percent(e.getMetrics().getAgreement()) : "-",
            ok && !teacher
                ? String.format(Locale.ROOT, "%.4f", e.getMetrics().getKlTeacherStudent())
                : "-",
            e.getPromoted() ? "yes" : "");
      }
      evalTable.appendTo(out, 1, 2, 4, 5, 6, 7);
      for (EvaluationEvent e : latestEvaluations.values()) {
        if (e.getStatus() == EvaluationStatus.EVALUATION_FAILED) {
          out.append(String.format("%s failed: %s%n", e.getJobId(), e.getFailureReason()));
        }
      }
    }
    if (undecodableEvaluations > 0) {
      out.append(
          String.format(
              "%d record(s) of %s could not be decoded%n",
              undecodableEvaluations, DistilleryTopics.EVALUATIONS));
    }
    return out.toString();
  }

  /** The snapshot as JSON; evaluations in protobuf's JSON mapping. */
  public String toJson() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("bootstrapServers", bootstrapServers);
    root.put("readAt", readAt.toString());
    root.put("brokers", brokers);
    ArrayNode topicArray = root.putArray("topics");
    topics.forEach(t -> topicArray.add(mapper.valueToTree(t)));
    ArrayNode groupArray = root.putArray("consumerGroups");
    for (GroupStatus g : groups) {
      ObjectNode node = mapper.valueToTree(g);
      node.put("totalLag", g.totalLag());
      groupArray.add(node);
    }
    ObjectNode evaluations = root.putObject("latestEvaluations");
    JsonFormat.Printer printer = JsonFormat.printer();
    try {
      for (Map.Entry<String, EvaluationEvent> e : latestEvaluations.entrySet()) {
        evaluations.set(e.getKey(), mapper.readTree(printer.print(e.getValue())));
      }
      root.put("undecodableEvaluations", undecodableEvaluations);
      return mapper.writeValueAsString(root);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot write the status as JSON", e);
    }
  }

  @Override
  public String toString() {
    return render();
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
  }

  /** A left-aligned text table; the columns named on output are right-aligned. */
  private static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(String... cells) {
      rows.add(cells);
    }

    void appendTo(StringBuilder out, int... rightAligned) {
      int columns = rows.get(0).length;
      int[] widths = new int[columns];
      for (String[] row : rows) {
        for (int c = 0; c < columns; c++) {
          widths[c] = Math.max(widths[c], row[c].length());
        }
      }
      Set<Integer> right =
          java.util.Arrays.stream(rightAligned).boxed().collect(Collectors.toSet());
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < columns; c++) {
          if (c > 0) {
            line.append("  ");
          }
          String pad = " ".repeat(widths[c] - row[c].length());
          line.append(right.contains(c) ? pad + row[c] : row[c] + pad);
        }
        out.append(line.toString().stripTrailing()).append(System.lineSeparator());
      }
    }
  }

  /** For tests: the topic statuses by name. */
  Map<String, TopicStatus> topicsByName() {
    Map<String, TopicStatus> byName = new LinkedHashMap<>();
    topics.forEach(t -> byName.put(t.name(), t));
    return byName;
  }
}
