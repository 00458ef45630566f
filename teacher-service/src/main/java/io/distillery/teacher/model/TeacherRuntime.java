package io.distillery.teacher.model;

import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.metrics.TeacherMetrics;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.task.ServedTasks;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Loads the configured teacher once at start-up and owns its batcher. A teacher that cannot load
 * leaves the service running but not ready, with the reason in the readiness check and one clear
 * log line — never half-alive and silent.
 */
@ApplicationScoped
public class TeacherRuntime {

  private static final Logger LOG = Logger.getLogger(TeacherRuntime.class);

  private final TeacherConfig config;
  private final TeacherMetrics metrics;
  private final MeterRegistry registry;
  private volatile ServedModel ready;
  private volatile String notReadyReason = "the teacher model is still loading";

  public TeacherRuntime(TeacherConfig config, TeacherMetrics metrics, MeterRegistry registry) {
    this.config = config;
    this.metrics = metrics;
    this.registry = registry;
  }

  void onStart(@Observes StartupEvent event) {
    Gauge.builder("distillery_teacher_model_loaded", () -> ready == null ? 0 : 1)
        .description("1 when the teacher model is loaded and serving")
        .tag("engine", config.engine())
        .register(registry);
    if (config.modelDir().isEmpty()) {
      notReadyReason =
          "no model configured: set distillery.teacher.model-dir to a directory with "
              + io.distillery.models.teacher.TeacherCardFile.FILE_NAME;
      LOG.error(notReadyReason);
      return;
    }
    try {
      LoadedTeacher teacher =
          TeacherLoader.load(
              config.engine(),
              config.modelDir().get(),
              config.maxRequestSamples(),
              config.onnxIntraOpThreads(),
              config.maxTopK());
      TeacherConfig.Batching batching = config.batching();
      ServedModel model;
      try {
        model = ServedTasks.of(teacher.card().getTask()).serve(teacher, batching, metrics);
      } catch (TeacherLoadException | RuntimeException e) {
        teacher.close();
        throw e;
      }
      Gauge.builder("distillery_teacher_queue_depth", model, ServedModel::queueDepth)
          .description("Samples waiting for a forward pass")
          .register(registry);
      ready = model;
      TeacherCard card = model.card();
      LOG.infof(
          "Serving teacher %s %s on %s (sha256 %s, licence %s, %s); batches of up to %d, %s delay",
          card.getModelId(),
          card.getVersion(),
          card.getEngine(),
          card.getArtifactSha256(),
          card.getLicenseSpdx(),
          card.getDistillation(),
          batching.maxBatchSize(),
          batching.maxDelay());
    } catch (TeacherLoadException e) {
      notReadyReason = e.getMessage();
      LOG.error("Teacher not loaded: " + notReadyReason);
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    ServedModel current = ready;
    ready = null;
    notReadyReason = "the teacher is shutting down";
    if (current != null) {
      current.close();
    }
  }

  /** The served model, when serving. */
  public Optional<ServedModel> ready() {
    return Optional.ofNullable(ready);
  }

  /** Why the teacher is not serving (meaningful while {@link #ready()} is empty). */
  public String notReadyReason() {
    return notReadyReason;
  }
}
