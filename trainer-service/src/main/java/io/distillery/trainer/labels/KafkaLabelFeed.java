package io.distillery.trainer.labels;

import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.SoftLabelEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The soft-label topic through a plain {@link KafkaConsumer}, owned by one reader thread that also
 * decodes, so the training thread only trains.
 *
 * <p>Why not a SmallRye channel: a job must seek to the offsets its checkpoint records, re-read the
 * topic from its start for every pass and stop at a fixed end offset, and it commits nothing on its
 * own; SmallRye's channel model (subscription, acknowledgement-driven commits) fights all four. The
 * consumer is <em>assigned</em> every partition instead of joining a group by subscription: a job's
 * one trainer must see the whole log, and no rebalance may ever move partitions away. The group id
 * ({@code distillery-trainer-<job>}) is still used to commit, for lag tools, the offsets each
 * checkpoint covers.
 */
public final class KafkaLabelFeed implements LabelFeed {

  private static final Logger LOG = Logger.getLogger(KafkaLabelFeed.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final int MAX_POLL_RECORDS = 1000;

  private final KafkaConsumer<String, Decoded<SoftLabelEvent>> consumer;
  private final String topic;
  private final LabelDecoder decoder;
  // Whole poll batches cross threads, not single labels: a hand-off per label cost the training
  // thread a lock and often a park/unpark each.
  private final BlockingQueue<List<FeedItem>> chunks;
  // Training-thread state: the chunk being handed out.
  private List<FeedItem> current = List.of();
  private int next;
  private final BlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean closed;
  private volatile long lag = -1;
  private volatile Throwable failure;

  // Reader-thread state.
  private List<TopicPartition> partitions = List.of();
  private Map<TopicPartition, Long> until;
  private final Set<TopicPartition> finished = new HashSet<>();
  private long generation;

  /**
   * Connects to the topic and assigns all its partitions.
   *
   * @param bootstrapServers Kafka bootstrap servers
   * @param topic the soft-label topic
   * @param groupId the job's consumer group (commits only)
   * @param readAhead decoded labels buffered ahead of the training thread
   * @param overrides further consumer properties
   * @throws IllegalStateException when the topic does not exist or cannot be described
   */
  public KafkaLabelFeed(
      String bootstrapServers,
      String topic,
      String groupId,
      int readAhead,
      Map<String, Object> overrides) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-labels");
    // The checkpoint is the commit: nothing is committed behind its back.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A labeler writing in transactions must not have aborted labels trained on.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    // A Fashion-MNIST label is ~3.2 KB: the default 1 MB per-partition fetch holds ~300 of them,
    // which starved training (2k labels/s). Big fetches and socket buffers keep the reader ahead.
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
    config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    config.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 << 20);
    // The broker answers one request per connection at a time, so a long-poll fetch at the end of
    // the log delays the offset lookups that start the next pass by up to this long.
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SoftLabelValueDeserializer.class.getName());
    config.putAll(overrides);
    this.consumer = new KafkaConsumer<>(config);
    this.topic = topic;
    this.decoder = new LabelDecoder();
    this.chunks = new ArrayBlockingQueue<>(Math.max(2, readAhead / MAX_POLL_RECORDS));
    this.reader = new Thread(this::run, groupId + "-reader");
    this.reader.setDaemon(true);
    this.reader.start();
    try {
      call(this::assignAll);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private Void assignAll() {
    List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException(
          "soft-label topic '" + topic + "' does not exist (distillery.trainer.soft-labels-topic)");
    }
    List<TopicPartition> all = new ArrayList<>();
    for (PartitionInfo info : infos) {
      all.add(new TopicPartition(topic, info.partition()));
    }
    consumer.assign(all);
    partitions = List.copyOf(all);
    return null;
  }

  @Override
  public Map<Integer, Long> beginningOffsets() {
    return call(() -> byPartition(consumer.beginningOffsets(partitions)));
  }

  @Override
  public Map<Integer, Long> endOffsets() {
    return call(() -> byPartition(consumer.endOffsets(partitions)));
  }

  @Override
  public void start(Map<Integer, Long> from, Map<Integer, Long> untilOffsets) {
    current = List.of();
    next = 0;
    call(
        () -> {
          generation++;
          chunks.clear();
          finished.clear();
          consumer.resume(partitions);
          Map<TopicPartition, Long> end = new HashMap<>();
          for (TopicPartition tp : partitions) {
            long start = from.getOrDefault(tp.partition(), 0L);
            long stop = untilOffsets.getOrDefault(tp.partition(), start);
            end.put(tp, stop);
            consumer.seek(tp, start);
            if (start >= stop) {
              finished.add(tp);
            }
          }
          consumer.pause(finished);
          until = end;
          return null;
        });
  }

  @Override
  public FeedItem poll(Duration timeout) throws InterruptedException {
    if (next >= current.size()) {
      List<FeedItem> chunk = chunks.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (chunk == null) {
        if (failure != null) {
          throw new IllegalStateException(
              "reading " + topic + " failed: " + failure.getMessage(), failure);
        }
        return null;
      }
      current = chunk;
      next = 0;
    }
    return current.get(next++);
  }

  @Override
  public void commit(Map<Integer, Long> positions, String note) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    positions.forEach(
        (p, offset) ->
            offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset, note)));
    // Synchronous: an idle consumer never polls, so an asynchronous commit would wait for the
    // next pass to be sent.
    commands.add(
        () -> {
          try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
          } catch (RuntimeException e) {
            LOG.warnf("committing %s for lag monitoring failed: %s", note, e.getMessage());
          }
        });
  }

  @Override
  public long lag() {
    return lag;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- reader thread ------------------------------------------------------------------------

  private void run() {
    try {
      while (!closed) {
        runCommands();
        if (until == null) {
          Runnable command = commands.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
          if (command != null) {
            command.run();
          }
          continue;
        }
        long current = generation;
        ConsumerRecords<String, Decoded<SoftLabelEvent>> records = consumer.poll(POLL);
        if (!deliver(records, current)) {
          continue;
        }
        for (TopicPartition tp : partitions) {
          if (!finished.contains(tp) && consumer.position(tp) >= until.get(tp)) {
            finished.add(tp);
            consumer.pause(List.of(tp));
          }
        }
        updateLag();
        if (finished.size() == partitions.size()) {
          if (put(List.of(new FeedItem.EndOfRange()), current)) {
            until = null;
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        failure = e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      failure = e;
      LOG.errorf(e, "reading %s failed", topic);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      Runnable pending;
      while ((pending = commands.poll()) != null) {
        pending.run();
      }
    }
  }

  /** Hands decoded records to the training thread; false if a new range started meanwhile. */
  private boolean deliver(ConsumerRecords<String, Decoded<SoftLabelEvent>> records, long current)
      throws InterruptedException {
    List<FeedItem> chunk = new ArrayList<>(records.count());
    for (ConsumerRecord<String, Decoded<SoftLabelEvent>> record : records) {
      Long stop = until == null ? null : until.get(new TopicPartition(topic, record.partition()));
      if (stop == null || record.offset() >= stop) {
        // Beyond this pass's end: the next pass reads it.
        continue;
      }
      chunk.add(toItem(record));
    }
    return chunk.isEmpty() || put(chunk, current);
  }

  private FeedItem toItem(ConsumerRecord<String, Decoded<SoftLabelEvent>> record) {
    try {
      return new FeedItem.Label(
          decoder.decode(record.partition(), record.offset(), record.value()));
    } catch (LabelRejectedException e) {
      return new FeedItem.Rejected(record.partition(), record.offset(), e.reason(), e.getMessage());
    }
  }

  /** Waits for room, running commands meanwhile; false if closed or a new range started. */
  private boolean put(List<FeedItem> chunk, long current) throws InterruptedException {
    while (!closed && generation == current) {
      if (chunks.offer(chunk, POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      runCommands();
    }
    return false;
  }

  private void runCommands() {
    Runnable command;
    while ((command = commands.poll()) != null) {
      command.run();
    }
  }

  private void updateLag() {
    long total = 0;
    for (TopicPartition tp : partitions) {
      OptionalLong partitionLag = consumer.currentLag(tp);
      if (partitionLag.isEmpty()) {
        return;
      }
      total += partitionLag.getAsLong();
    }
    lag = total;
  }

  private <T> T call(Supplier<T> action) {
    if (closed) {
      throw new IllegalStateException("the label feed of " + topic + " is closed");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    commands.add(
        () -> {
          try {
            result.complete(action.get());
          } catch (Throwable e) {
            result.completeExceptionally(e);
          }
        });
    try {
      while (true) {
        try {
          return result.get(200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          if (!reader.isAlive()) {
            throw new IllegalStateException(
                "the Kafka reader of " + topic + " stopped: " + failure, failure);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Kafka reader", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(cause.getMessage(), cause);
    }
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> out = new HashMap<>();
    offsets.forEach((tp, offset) -> out.put(tp.partition(), offset));
    return out;
  }
}
