package io.distillery.cli.status;

import io.distillery.proto.v1.EvaluationEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of a Distillery cluster: topics with partitions and record counts, the {@code
 * distillery-*} consumer groups with their lag per topic, and the latest evaluation of every job
 * from {@code distill.evaluations}. {@link ClusterReader} reads it; {@link StatusText} and {@link
 * StatusJson} render it.
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

  ClusterStatus(
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

  @Override
  public String toString() {
    return StatusText.render(this);
  }

  /** For tests: the topic statuses by name. */
  Map<String, TopicStatus> topicsByName() {
    Map<String, TopicStatus> byName = new LinkedHashMap<>();
    topics.forEach(t -> byName.put(t.name(), t));
    return byName;
  }
}
