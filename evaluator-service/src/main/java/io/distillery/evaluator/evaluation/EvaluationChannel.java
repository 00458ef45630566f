package io.distillery.evaluator.evaluation;

import io.distillery.proto.v1.EvaluationEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Kafka adapter for {@code distill.evaluations}: one record per evaluation, key = job id. */
@ApplicationScoped
public class EvaluationChannel implements EvaluationSink {

  /** Channel name in {@code application.properties}. */
  public static final String EVALUATIONS = "evaluations";

  private final MutinyEmitter<EvaluationEvent> emitter;

  public EvaluationChannel(@Channel(EVALUATIONS) MutinyEmitter<EvaluationEvent> emitter) {
    this.emitter = emitter;
  }

  @Override
  public void publish(EvaluationEvent event) {
    try {
      emitter.sendMessageAndAwait(
          Message.of(event)
              .addMetadata(
                  OutgoingKafkaRecordMetadata.<String>builder().withKey(event.getJobId()).build()));
    } catch (RuntimeException e) {
      throw new PublishFailedException(
          "evaluation of job " + event.getJobId() + " step " + event.getStep() + " not written", e);
    }
  }
}
