package io.distillery.labeler.prompt;

import io.distillery.labeler.labeling.LabelingService;
import io.distillery.labeler.labeling.Submission;
import io.distillery.proto.kafka.DecodeFailure;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.kafka.PromptRecord;
import io.distillery.proto.v1.SourceRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Kafka adapter for {@code distill.prompts} (batch mode): reads key, value and origin of every
 * record of a poll batch, hands them to the {@link LabelingService}, and acknowledges the batch
 * (which lets the throttled commit strategy commit its offsets) only once every label and dead
 * letter of it is acknowledged by the broker. The returned stage completes as soon as the service
 * has taken the batch on, so the next batch can flow while this one is being labelled.
 */
@ApplicationScoped
public class PromptChannel {

  /** Channel name in {@code application.properties}. */
  public static final String PROMPTS = "prompts";

  private final LabelingService service;

  public PromptChannel(LabelingService service) {
    this.service = service;
  }

  @Incoming(PROMPTS)
  public CompletionStage<Void> onPrompts(KafkaRecordBatch<String, PromptRecord> batch) {
    List<IncomingPrompt> prompts = new ArrayList<>(batch.getRecords().size());
    for (KafkaRecord<String, PromptRecord> record : batch) {
      prompts.add(
          new IncomingPrompt(record.getKey(), payload(record), source(record), headers(record)));
    }
    Submission submission = service.submit(prompts);
    submission
        .completed()
        .whenComplete(
            (ignored, failure) -> {
              if (failure == null) {
                batch.ack();
              } else {
                batch.nack(failure);
              }
            });
    return submission.accepted();
  }

  private static PromptRecord payload(KafkaRecord<String, PromptRecord> record) {
    PromptRecord payload = record.getPayload();
    // The deserializer turns a null value into a failure itself; this guards a connector that
    // skips the deserializer for tombstones.
    return payload != null
        ? payload
        : PromptRecord.of(
            new Decoded.Failed<>(
                new DecodeFailure(DecodeFailure.Reason.EMPTY, "the record has no value", ""),
                new byte[0]));
  }

  private static List<Header> headers(KafkaRecord<String, ?> record) {
    return record.getHeaders() == null ? List.of() : List.of(record.getHeaders().toArray());
  }

  private static SourceRecord source(KafkaRecord<String, ?> record) {
    SourceRecord.Builder source =
        SourceRecord.newBuilder().setTopic(record.getTopic()).setPartition(record.getPartition());
    record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .ifPresent(metadata -> source.setOffset(metadata.getOffset()));
    return source.build();
  }
}
