package io.distillery.labeler.gate;

import io.distillery.labeler.config.LabelerConfig;
import io.distillery.proto.kafka.KafkaSecuritySettings;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.TeacherDescription;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Writes the licence gate's decision to the audit topic ({@code distill.audit}, key = the teacher's
 * model id): a teacher whose licence permits distillation, one labelled under the operator's
 * override, or one refused.
 *
 * <p>A plain producer rather than a reactive-messaging channel: a channel's readiness would make
 * the labeler's readiness depend on the audit topic, and the gate's decision must stand whether or
 * not the audit write succeeds (a failed send is logged).
 */
@ApplicationScoped
public class GateAudit {

  /** Does nothing (tests that drive the gate without a broker). */
  public static final GateAudit NONE = new GateAudit();

  static final String SERVICE = "labeler-service";
  private static final Logger LOG = Logger.getLogger(GateAudit.class);

  private final Producer<String, byte[]> producer;
  private final String topic;

  private GateAudit() {
    this.producer = null;
    this.topic = null;
  }

  @Inject
  public GateAudit(
      LabelerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
    this.topic = config.policy().auditTopic().orElse(null);
    this.producer = topic == null ? null : producer(kafkaConfig);
  }

  private static Producer<String, byte[]> producer(Map<String, Object> kafkaConfig) {
    Map<String, Object> props = new HashMap<>(KafkaSecuritySettings.of(kafkaConfig));
    props.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafkaConfig.getOrDefault("bootstrap.servers", "localhost:9092"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "labeler-gate-audit");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  /** Records what the gate decided about a teacher; returns at once. */
  public void decided(TeacherDescription teacher, GateDecision decision) {
    if (producer == null) {
      return;
    }
    AuditEvent event = event(teacher.card(), decision);
    // send() may block on metadata while the topic is created: never on the gate's thread.
    Thread sender = new Thread(() -> send(event), "labeler-gate-audit");
    sender.setDaemon(true);
    sender.start();
  }

  private void send(AuditEvent event) {
    try {
      producer.send(
          new ProducerRecord<>(topic, event.getTeacherModelId(), event.toByteArray()),
          (metadata, error) -> {
            if (error != null) {
              LOG.errorf(
                  "licence-gate audit event for teacher %s not written: %s",
                  event.getTeacherModelId(), error.getMessage());
            }
          });
    } catch (RuntimeException e) {
      LOG.errorf(
          "licence-gate audit event for teacher %s not written: %s",
          event.getTeacherModelId(), e.getMessage());
    }
  }

  static AuditEvent event(TeacherCard card, GateDecision decision) {
    boolean open = decision instanceof GateDecision.Open;
    boolean permitted = card.getDistillation() == DistillationPolicy.DISTILLATION_ALLOWED;
    String reason = !open ? "blocked" : permitted ? "licence-permits" : "override";
    String message =
        decision instanceof GateDecision.Blocked blocked
            ? blocked.reason()
            : permitted
                ? "the teacher's licence permits distillation"
                : "the teacher's licence does not permit distillation; labelling under"
                    + " distillery.labeler.policy.allow-forbidden-teacher=true, every label records"
                    + " the override";
    return AuditEvent.newBuilder()
        .setTimeMs(System.currentTimeMillis())
        .setService(SERVICE)
        .setClient(SERVICE)
        .setKind("licence-gate")
        .setDecision(
            open ? AuditDecision.AUDIT_DECISION_ALLOWED : AuditDecision.AUDIT_DECISION_REFUSED)
        .setStatus(open ? "OK" : "REFUSED")
        .setReason(reason)
        .setMessage(message)
        .setTeacherModelId(card.getModelId())
        .setTeacherSha256(card.getArtifactSha256())
        .setLicenseSpdx(card.getLicenseSpdx())
        .putFacts("distillation", card.getDistillation().name())
        .putFacts("teacher_version", card.getVersion())
        .build();
  }

  @PreDestroy
  void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
