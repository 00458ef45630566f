package io.distillery.teacher.access;

import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.watermark.Watermarking;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Writes every access decision to the audit topic ({@code distill.audit}), keyed by client id.
 * Sends are asynchronous (acks=all, idempotent) so a call never waits on the broker; a failed send
 * is logged and counted in {@code distillery_teacher_audit_failures_total}.
 */
@ApplicationScoped
public class AuditLog {

  private static final Logger LOG = Logger.getLogger(AuditLog.class);
  static final String SERVICE = "teacher-service";

  private final AccessConfig.Audit config;
  private final KafkaProducer<String, byte[]> producer;
  private final Counter failures;
  private final Watermarking watermarks;

  public AuditLog(
      TeacherConfig config, MeterRegistry registry, Watermarking watermarks, Config settings) {
    this.config = config.access().audit();
    this.watermarks = watermarks;
    this.failures =
        Counter.builder("distillery_teacher_audit_failures")
            .description("Access decisions that could not be written to the audit topic")
            .register(registry);
    this.producer =
        this.config.enabled()
            ? producer(this.config.bootstrapServers(), kafkaSecurity(settings))
            : null;
    if (producer != null) {
      LOG.infof(
          "Auditing every teacher access decision to %s on %s",
          this.config.topic(), this.config.bootstrapServers());
    }
  }

  /**
   * The standard {@code kafka.security.protocol}, {@code kafka.sasl.*} and {@code kafka.ssl.*}
   * settings (or their {@code KAFKA_...} environment variables), as the other services read them
   * through SmallRye.
   */
  static Properties kafkaSecurity(Config settings) {
    Properties security = new Properties();
    for (String name : settings.getPropertyNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("kafka.") && !lower.startsWith("kafka_")) {
        continue;
      }
      String key = lower.substring("kafka.".length()).replace('_', '.');
      if (key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
        settings.getOptionalValue(name, String.class).ifPresent(v -> security.put(key, v));
      }
    }
    return security;
  }

  private static KafkaProducer<String, byte[]> producer(
      String bootstrapServers, Properties security) {
    Properties props = new Properties();
    props.putAll(security);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "teacher-audit");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  /** Writes one decision; does nothing when auditing is off. */
  public void record(AccessRequest request, Decision decision) {
    if (producer == null) {
      return;
    }
    AuditEvent event =
        AuditEvent.newBuilder()
            .setTimeMs(System.currentTimeMillis())
            .setService(SERVICE)
            .setKind("teacher-access")
            .setClient(decision.client())
            .setRpc(request.rpc())
            .setSamples(request.samples())
            .setTopK(request.topK())
            .setDecision(
                decision.allowed()
                    ? AuditDecision.AUDIT_DECISION_ALLOWED
                    : AuditDecision.AUDIT_DECISION_REFUSED)
            .setStatus(decision.code().name())
            .setReason(decision.reason())
            .setMessage(decision.message())
            .setWatermarked(
                decision.allowed() && request.samples() > 0 && watermarks.marks(decision.client()))
            .build();
    producer.send(
        new ProducerRecord<>(config.topic(), decision.client(), event.toByteArray()),
        (metadata, error) -> {
          if (error != null) {
            failures.increment();
            LOG.warnf(
                "audit event of %s/%s not written: %s", decision.client(), request.rpc(), error);
          }
        });
  }

  @PreDestroy
  void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
