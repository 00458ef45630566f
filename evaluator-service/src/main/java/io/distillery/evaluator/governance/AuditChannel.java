package io.distillery.evaluator.governance;

import io.distillery.proto.v1.AuditEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Kafka adapter for {@code distill.audit}: one record per licence-gate decision or promotion, key =
 * the job id. Written before the evaluation is published, and awaited, so an evaluation saying
 * "promoted" or "refused" always has its audit record.
 */
@ApplicationScoped
public class AuditChannel {

  /** Channel name in {@code application.properties}. */
  public static final String AUDIT = "audit";

  private static final Logger LOG = Logger.getLogger(AuditChannel.class);

  private final MutinyEmitter<AuditEvent> emitter;

  public AuditChannel(@Channel(AUDIT) MutinyEmitter<AuditEvent> emitter) {
    this.emitter = emitter;
  }

  /** Writes one audit event; a failure is logged (the decision stands) and rethrown. */
  public void record(AuditEvent event) {
    try {
      emitter.sendMessageAndAwait(
          Message.of(event)
              .addMetadata(
                  OutgoingKafkaRecordMetadata.<String>builder().withKey(event.getJobId()).build()));
    } catch (RuntimeException e) {
      LOG.errorf(
          "audit event %s of job %s step %d not written: %s",
          event.getKind(), event.getJobId(), event.getStep(), e.getMessage());
      throw e;
    }
  }
}
