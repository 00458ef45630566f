package io.distillery.cli.produce;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.distillery.cli.kafka.KafkaClientSettings;
import io.distillery.cli.logging.CliLogging;
import io.distillery.models.augment.TransferSet;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.text.Document;
import io.distillery.proto.v1.LabelMix;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@link PromptEvent}s to a topic the way Distillery's services produce (acks=all,
 * idempotent), batched for throughput (batch.size 1 MB, linger 10 ms), and waits until every record
 * is acknowledged before a {@code produce*} method returns.
 */
public final class PromptProducer implements AutoCloseable {

  /** How long {@code send} may wait for metadata (an unreachable broker, a missing topic). */
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(30);

  private static final int BATCH_BYTES = 1 << 20;
  private static final int LINGER_MS = 10;
  private static final long REPORT_EVERY = 256;

  private final KafkaProducer<String, byte[]> producer;
  private final String bootstrapServers;

  /** A producer that waits at most {@link #DEFAULT_MAX_BLOCK} for the broker's metadata. */
  public PromptProducer(String bootstrapServers) {
    this(bootstrapServers, DEFAULT_MAX_BLOCK);
  }

  /**
   * A producer.
   *
   * @param bootstrapServers the Kafka cluster
   * @param maxBlock how long a send may wait for metadata before failing
   */
  public PromptProducer(String bootstrapServers, Duration maxBlock) {
    CliLogging.quietKafka();
    this.bootstrapServers = bootstrapServers;
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_BYTES));
    config.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(LINGER_MS));
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(maxBlock.toMillis()));
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "distillery-cli-producer");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    KafkaClientSettings.applyTo(config);
    this.producer = new KafkaProducer<>(config);
  }

  /**
   * Sends one prompt per image: id = {@code idPrefix + index}, key = id, the image as a tensor of
   * the images' sample shape (e.g. [1, 28, 28]) and its label.
   *
   * @param topic the prompts topic, e.g. {@code distill.prompts}
   * @param images the images to send
   * @param dataset the prompts' dataset, e.g. {@code fashion-mnist/train}
   * @param idPrefix prefix of every prompt id, e.g. {@code train-}
   * @param progress called on this thread with the count acknowledged so far
   * @return the count sent and acknowledged ({@code images.size()})
   * @throws ProduceException if a record could not be written
   */
  public long produceImages(
      String topic, LabeledImages images, String dataset, String idPrefix, LongConsumer progress) {
    return produceImages(topic, images, dataset, idPrefix, 0, progress);
  }

  /**
   * Like {@link #produceImages(String, LabeledImages, String, String, LongConsumer)}, numbering the
   * ids from {@code firstIndex}: image {@code i} gets id {@code idPrefix + (firstIndex + i)}, so a
   * slice of a data set keeps the ids of its position in the whole set.
   */
  public long produceImages(
      String topic,
      LabeledImages images,
      String dataset,
      String idPrefix,
      long firstIndex,
      LongConsumer progress) {
    int size = images.sampleSize();
    long[] shape = images.sampleShape();
    long createdAt = System.currentTimeMillis();
    Acks acks = new Acks(topic);
    for (int i = 0; i < images.size(); i++) {
      float[] pixels = new float[size];
      System.arraycopy(images.images(), i * size, pixels, 0, size);
      PromptEvent prompt =
          PromptEvent.newBuilder()
              .setId(idPrefix + (firstIndex + i))
              .setDataset(dataset)
              .setLabel(images.labels()[i])
              .setInput(ModelInput.newBuilder().setTensor(tensor(pixels, shape)))
              .setCreatedAtMs(createdAt)
              .build();
      acks.send(prompt.getId(), prompt.toByteArray(), progress);
    }
    return acks.await(progress);
  }

  /**
   * Sends the views of an augmented transfer set: for each image in {@code [from, to)} of {@code
   * images}, {@link TransferSet#viewsPerImage()} prompts with ids {@code <prefix><image>} (view 0,
   * the image itself) and {@code <prefix><image>-v<n>}, the view's ground truth (a {@code
   * label_mix} for mixup pairs) and its provenance in the attributes {@code source} (the image, or
   * both images of a mixup, as {@code <dataset>:<index>}) and {@code transform}. Mixup partners are
   * drawn from the whole set, so a slice yields the same views as the whole.
   *
   * @return the count sent and acknowledged
   * @throws ProduceException if a record could not be written
   */
  public long produceViews(
      String topic,
      LabeledImages images,
      int from,
      int to,
      TransferSet transfer,
      String dataset,
      String idPrefix,
      LongConsumer progress) {
    long[] shape = images.sampleShape();
    long createdAt = System.currentTimeMillis();
    Acks acks = new Acks(topic);
    for (int i = from; i < to; i++) {
      for (int v = 0; v < transfer.viewsPerImage(); v++) {
        TransferSet.View view = transfer.view(images, i, v);
        String source = dataset + ":" + view.image();
        PromptEvent.Builder prompt =
            PromptEvent.newBuilder()
                .setId(view.id(idPrefix))
                .setDataset(dataset)
                .setLabel(view.label())
                .setInput(ModelInput.newBuilder().setTensor(tensor(view.pixels(), shape)))
                .putAttributes("transform", view.transform())
                .setCreatedAtMs(createdAt);
        if (view.mixed()) {
          source += "," + dataset + ":" + view.secondImage();
          prompt.setLabelMix(
              LabelMix.newBuilder().setSecondLabel(view.secondLabel()).setWeight(view.weight()));
        }
        prompt.putAttributes("source", source);
        acks.send(prompt.getId(), prompt.build().toByteArray(), progress);
      }
    }
    return acks.await(progress);
  }

  /**
   * Sends one text prompt per document: id = key = the document's id, {@code input.text} = its
   * text, in the given dataset.
   *
   * @return the count sent and acknowledged
   * @throws ProduceException if a record could not be written
   */
  public long produceTexts(
      String topic, List<Document> documents, String dataset, LongConsumer progress) {
    long createdAt = System.currentTimeMillis();
    Acks acks = new Acks(topic);
    for (Document document : documents) {
      PromptEvent prompt =
          PromptEvent.newBuilder()
              .setId(document.id())
              .setDataset(dataset)
              .setInput(ModelInput.newBuilder().setText(document.text()))
              .setCreatedAtMs(createdAt)
              .build();
      acks.send(prompt.getId(), prompt.toByteArray(), progress);
    }
    return acks.await(progress);
  }

  private static Tensor tensor(float[] pixels, long[] shape) {
    Tensor.Builder tensor = Tensor.newBuilder();
    for (long dim : shape) {
      tensor.addShape(dim);
    }
    for (float v : pixels) {
      tensor.addValues(v);
    }
    return tensor.build();
  }

  /**
   * Sends one prompt per non-blank line of a file in protobuf's JSON mapping of {@link PromptEvent}
   * ({@code {"id": "p1", "dataset": "demo", "input": {"tensor": {...}}}}), as protobuf. Every line
   * is checked before the first is sent, so a bad file sends nothing. Key = the prompt's id, or the
   * line number when it has none.
   *
   * @param topic the prompts topic
   * @param file a JSON Lines file
   * @param progress called on this thread with the count acknowledged so far
   * @return the count sent and acknowledged
   * @throws IOException if the file cannot be read, or a line is not a valid prompt: the message is
   *     {@code file:line: reason}
   * @throws ProduceException if a record could not be written
   */
  public long produceJsonLines(String topic, Path file, LongConsumer progress) throws IOException {
    long lines = validateJsonLines(file);
    if (lines == 0) {
      return 0;
    }
    JsonFormat.Parser parser = JsonFormat.parser();
    Acks acks = new Acks(topic);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        PromptEvent prompt = parse(parser, file, number, line);
        String key = prompt.getId().isEmpty() ? Long.toString(number) : prompt.getId();
        acks.send(key, prompt.toByteArray(), progress);
      }
    }
    return acks.await(progress);
  }

  /**
   * Checks every non-blank line of a JSON Lines file of prompts.
   *
   * @return the number of prompts in it
   * @throws IOException if unreadable or a line is invalid ({@code file:line: reason})
   */
  public static long validateJsonLines(Path file) throws IOException {
    JsonFormat.Parser parser = JsonFormat.parser();
    long count = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          parse(parser, file, number, line);
          count++;
        }
      }
    }
    return count;
  }

  private static PromptEvent parse(JsonFormat.Parser parser, Path file, long number, String line)
      throws IOException {
    PromptEvent.Builder builder = PromptEvent.newBuilder();
    try {
      parser.merge(line, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat reports Gson's syntax errors as InvalidProtocolBufferException, some as
      // IllegalStateException or similar: all mean the line is not a PromptEvent.
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IOException(file + ":" + number + ": " + reason, e);
    }
    return builder.build();
  }

  @Override
  public void close() {
    producer.close();
  }

  /** Thrown when the broker did not acknowledge a record. */
  public static final class ProduceException extends RuntimeException {
    ProduceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Counts acknowledgements of asynchronous sends and remembers the first failure. */
  private final class Acks {
    private final String topic;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private long sent;

    Acks(String topic) {
      this.topic = topic;
    }

    void send(String key, byte[] value, LongConsumer progress) {
      failIfFailed();
      try {
        producer.send(
            new ProducerRecord<>(topic, key, value),
            (metadata, exception) -> {
              if (exception == null) {
                acked.incrementAndGet();
              } else {
                firstFailure.compareAndSet(null, exception);
                failed.incrementAndGet();
              }
            });
      } catch (RuntimeException e) {
        throw failure(e);
      }
      sent++;
      if (sent % REPORT_EVERY == 0) {
        progress.accept(acked.get());
      }
    }

    long await(LongConsumer progress) {
      producer.flush();
      progress.accept(acked.get());
      failIfFailed();
      return acked.get();
    }

    private void failIfFailed() {
      Exception e = firstFailure.get();
      if (e != null) {
        throw failure(e);
      }
    }

    private ProduceException failure(Exception e) {
      return new ProduceException(
          "could not write to topic " + topic + " on " + bootstrapServers + ": " + e.getMessage(),
          e);
    }
  }
}
