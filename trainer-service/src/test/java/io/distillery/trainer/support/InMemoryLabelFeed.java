package io.distillery.trainer.support;

import io.distillery.proto.kafka.SoftLabelEventDeserializer;
import io.distillery.trainer.labels.FeedItem;
import io.distillery.trainer.labels.LabelDecoder;
import io.distillery.trainer.labels.LabelFeed;
import io.distillery.trainer.labels.LabelRejectedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A soft-label log in memory with the {@link LabelFeed} contract: record values per partition,
 * decoded like Kafka's, partitions interleaved in chunks as a consumer's polls would be.
 */
public final class InMemoryLabelFeed implements LabelFeed {

  private static final int CHUNK = 7;

  private final List<List<byte[]>> partitions = new ArrayList<>();
  private final SoftLabelEventDeserializer deserializer = new SoftLabelEventDeserializer();
  private final LabelDecoder decoder = new LabelDecoder();
  private final Deque<FeedItem> pending = new ArrayDeque<>();
  private final List<Map<Integer, Long>> commits = new ArrayList<>();
  // 0 = never stalls; else poll answers null once after every that many items.
  private int stallEvery;
  private int sinceStall;

  public InMemoryLabelFeed(int partitionCount) {
    for (int p = 0; p < partitionCount; p++) {
      partitions.add(new ArrayList<>());
    }
  }

  /** Appends a record value to a partition. */
  public synchronized void append(int partition, byte[] value) {
    partitions.get(partition).add(value);
  }

  /**
   * Makes {@link #poll} answer null (nothing within the timeout) once after every {@code items}
   * items, as a Kafka reader does when it falls behind the training thread: a consumer that was
   * just started and seeks, a slow fetch, a reader thread short of CPU.
   */
  public synchronized InMemoryLabelFeed stallEvery(int items) {
    this.stallEvery = items;
    this.sinceStall = 0;
    return this;
  }

  /** The positions committed after each checkpoint. */
  public synchronized List<Map<Integer, Long>> commits() {
    return List.copyOf(commits);
  }

  @Override
  public synchronized Map<Integer, Long> beginningOffsets() {
    Map<Integer, Long> out = new HashMap<>();
    for (int p = 0; p < partitions.size(); p++) {
      out.put(p, 0L);
    }
    return out;
  }

  @Override
  public synchronized Map<Integer, Long> endOffsets() {
    Map<Integer, Long> out = new HashMap<>();
    for (int p = 0; p < partitions.size(); p++) {
      out.put(p, (long) partitions.get(p).size());
    }
    return out;
  }

  @Override
  public synchronized void start(Map<Integer, Long> from, Map<Integer, Long> until) {
    pending.clear();
    long[] next = new long[partitions.size()];
    for (int p = 0; p < next.length; p++) {
      next[p] = from.getOrDefault(p, 0L);
    }
    boolean more = true;
    while (more) {
      more = false;
      for (int p = 0; p < next.length; p++) {
        long stop = until.getOrDefault(p, 0L);
        for (int i = 0; i < CHUNK && next[p] < stop; i++, next[p]++) {
          pending.add(item(p, next[p]));
        }
        more |= next[p] < stop;
      }
    }
    pending.add(new FeedItem.EndOfRange());
  }

  private FeedItem item(int partition, long offset) {
    byte[] value = partitions.get(partition).get((int) offset);
    try {
      return new FeedItem.Label(
          decoder.decode(partition, offset, deserializer.deserialize("in-memory", value)));
    } catch (LabelRejectedException e) {
      return new FeedItem.Rejected(partition, offset, e.reason(), e.getMessage());
    }
  }

  @Override
  public synchronized FeedItem poll(Duration timeout) {
    if (stallEvery > 0 && sinceStall == stallEvery) {
      sinceStall = 0;
      return null;
    }
    sinceStall++;
    return pending.poll();
  }

  @Override
  public synchronized void commit(Map<Integer, Long> positions, String note) {
    commits.add(Map.copyOf(positions));
  }

  @Override
  public long lag() {
    return -1;
  }

  @Override
  public void close() {}
}
