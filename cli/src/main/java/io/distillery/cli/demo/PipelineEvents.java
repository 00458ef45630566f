package io.distillery.cli.demo;

import com.google.protobuf.InvalidProtocolBufferException;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationSubject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code distill.checkpoints} and {@code distill.evaluations} from their beginning in a
 * background thread, so the demo knows when a job has finished and has been scored.
 */
public final class PipelineEvents implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final Map<String, List<CheckpointEvent>> checkpoints = new HashMap<>();
  private final Map<String, List<EvaluationEvent>> evaluations = new HashMap<>();
  private EvaluationEvent teacher;
  private volatile RuntimeException failure;

  private PipelineEvents(KafkaConsumer<String, byte[]> consumer) {
    this.consumer = consumer;
    this.thread = new Thread(this::follow, "demo-events");
    this.thread.setDaemon(true);
  }

  /** Starts following both topics on the broker at {@code bootstrapServers}. */
  public static PipelineEvents follow(String bootstrapServers) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(DistilleryTopics.CHECKPOINTS, DistilleryTopics.EVALUATIONS)) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    PipelineEvents events = new PipelineEvents(consumer);
    events.thread.start();
    return events;
  }

  private void follow() {
    try {
      while (true) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          accept(record);
        }
      }
    } catch (WakeupException closing) {
      // close() was called.
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void accept(ConsumerRecord<String, byte[]> record) {
    try {
      if (record.topic().equals(DistilleryTopics.CHECKPOINTS)) {
        CheckpointEvent event = CheckpointEvent.parseFrom(record.value());
        synchronized (this) {
          checkpoints.computeIfAbsent(event.getJobId(), j -> new ArrayList<>()).add(event);
          notifyAll();
        }
      } else {
        EvaluationEvent event = EvaluationEvent.parseFrom(record.value());
        synchronized (this) {
          if (event.getSubject() == EvaluationSubject.SUBJECT_TEACHER) {
            teacher = event;
          } else {
            evaluations.computeIfAbsent(event.getJobId(), j -> new ArrayList<>()).add(event);
          }
          notifyAll();
        }
      }
    } catch (InvalidProtocolBufferException e) {
      // Not ours to judge: the demo only reads what its own services wrote.
      System.err.println("skipping an undecodable record on " + record.topic() + ": " + e);
    }
  }

  /** The job's checkpoint events so far, in order. */
  public synchronized List<CheckpointEvent> checkpoints(String jobId) {
    return List.copyOf(checkpoints.getOrDefault(jobId, List.of()));
  }

  /** The job's evaluations so far, in order. */
  public synchronized List<EvaluationEvent> evaluations(String jobId) {
    return List.copyOf(evaluations.getOrDefault(jobId, List.of()));
  }

  /** The teacher's own evaluation, once the evaluator has published it. */
  public synchronized Optional<EvaluationEvent> teacher() {
    return Optional.ofNullable(teacher);
  }

  /** The job's final checkpoint, once written. */
  public synchronized Optional<CheckpointEvent> finalCheckpoint(String jobId) {
    return checkpoints(jobId).stream().filter(CheckpointEvent::getFinal).findFirst();
  }

  /** The evaluation of the job's final checkpoint, once published. */
  public synchronized Optional<EvaluationEvent> finalEvaluation(String jobId) {
    return finalCheckpoint(jobId)
        .flatMap(
            last ->
                evaluations(jobId).stream().filter(e -> e.getStep() == last.getStep()).findFirst());
  }

  /** The latest evaluation of the job, if any. */
  public synchronized Optional<EvaluationEvent> latestEvaluation(String jobId) {
    List<EvaluationEvent> all = evaluations(jobId);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Waits until something new arrives or {@code timeout} passes; rethrows a consumer failure. */
  public synchronized void awaitChange(Duration timeout) throws InterruptedException {
    if (failure != null) {
      throw new IllegalStateException("reading the pipeline's events failed", failure);
    }
    wait(timeout.toMillis());
  }

  @Override
  public void close() throws InterruptedException {
    consumer.wakeup();
    thread.join(5_000);
  }
}
