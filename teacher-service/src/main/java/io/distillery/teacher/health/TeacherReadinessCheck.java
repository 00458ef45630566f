package io.distillery.teacher.health;

import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.model.TeacherRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while a teacher model is loaded; otherwise says why not. */
@Readiness
@ApplicationScoped
public class TeacherReadinessCheck implements HealthCheck {

  private final TeacherRuntime runtime;

  public TeacherReadinessCheck(TeacherRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    return runtime
        .ready()
        .map(
            ready -> {
              TeacherCard card = ready.card();
              return HealthCheckResponse.named("teacher-model")
                  .up()
                  .withData("model", card.getModelId() + " " + card.getVersion())
                  .withData("engine", card.getEngine())
                  .withData("sha256", card.getArtifactSha256())
                  .withData("queue-depth", ready.queueDepth())
                  .build();
            })
        .orElseGet(
            () ->
                HealthCheckResponse.named("teacher-model")
                    .down()
                    .withData("reason", runtime.notReadyReason())
                    .build());
  }
}
