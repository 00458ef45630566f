package io.distillery.labeler.labeling;

import io.distillery.labeler.config.LabelerConfig;
import io.distillery.proto.v1.SoftLabelEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes soft labels to {@code distill.soft-labels} (one record per prompt, key = prompt id) with a
 * plain Kafka producer, a chunk of labels at a time.
 *
 * <p>Not a reactive-messaging channel: the channel wrapped every record in a message, a captured
 * context, a Mutiny pipeline and an acknowledgement of its own, which cost the labeler more CPU
 * than encoding the label (BENCHMARKS.md, "Soft labels through a plain producer"). The producer is
 * the same Kafka client the channel used, with the same settings, now under {@code
 * distillery.labeler.soft-labels.*}: {@code kafka.*} (bootstrap servers, security) with {@code
 * producer.*} over them. A chunk's write completes when the broker acknowledged every record of it
 * (acks=all, idempotent), and fails when any record could not be written after the producer's own
 * retries, so the poll batch is not committed.
 */
@ApplicationScoped
public class SoftLabelProducer implements LabelSink {

  private final Producer<String, byte[]> producer;
  private final String topic;
  // send() may block (metadata, a full buffer while the broker is away): never on an event loop.
  // One thread also keeps the order of the labels of a chunk; it completes the chunks too, so
  // nothing downstream runs on the producer's network thread.
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "labeler-soft-labels");
            thread.setDaemon(true);
            return thread;
          });

  @Inject
  public SoftLabelProducer(
      LabelerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
    this(config.softLabels().topic(), settings(config.softLabels().producer(), kafkaConfig));
  }

  SoftLabelProducer(String topic, Map<String, Object> settings) {
    this.topic = topic;
    this.producer = new KafkaProducer<>(settings);
  }

  /** The application's {@code kafka.*} settings with the producer's own over them. */
  static Map<String, Object> settings(Map<String, String> own, Map<String, Object> kafkaConfig) {
    Map<String, Object> props = new HashMap<>(kafkaConfig);
    props.putAll(own);
    props.putIfAbsent(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "labeler-soft-labels");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  @Override
  public Uni<Void> send(String key, SoftLabelEvent event) {
    return sendAll(List.of(event));
  }

  @Override
  public Uni<Void> sendAll(List<SoftLabelEvent> events) {
    return sendEncoded(events.stream().map(EncodedSoftLabel::of).toList());
  }

  @Override
  public Uni<Void> sendEncoded(List<EncodedSoftLabel> labels) {
    if (labels.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return Uni.createFrom().completionStage(() -> write(labels));
  }

  private CompletableFuture<Void> write(List<EncodedSoftLabel> events) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(events.size());
    try {
      sender.execute(
          () -> {
            for (EncodedSoftLabel label : events) {
              if (written.isDone()) {
                return; // a record already failed: the chunk fails, the batch is not committed
              }
              try {
                producer.send(
                    new ProducerRecord<>(topic, label.promptId(), label.bytes()),
                    (metadata, error) -> {
                      if (error != null) {
                        fail(written, error);
                      } else if (pending.decrementAndGet() == 0) {
                        complete(written);
                      }
                    });
              } catch (RuntimeException e) {
                fail(written, e);
              }
            }
          });
    } catch (RuntimeException rejected) {
      // The executor is shut down: the labeler is stopping.
      written.completeExceptionally(rejected);
    }
    return written;
  }

  private void complete(CompletableFuture<Void> written) {
    completeOffNetworkThread(() -> written.complete(null), () -> written.complete(null));
  }

  private void fail(CompletableFuture<Void> written, Throwable error) {
    completeOffNetworkThread(
        () -> written.completeExceptionally(error), () -> written.completeExceptionally(error));
  }

  private void completeOffNetworkThread(Runnable onSender, Runnable inline) {
    try {
      sender.execute(onSender);
    } catch (RuntimeException stopping) {
      inline.run();
    }
  }

  @PreDestroy
  void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Flushes what is buffered; a label not acknowledged by then leaves its batch uncommitted.
    producer.close(Duration.ofSeconds(10));
  }
}
