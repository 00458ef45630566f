package io.distillery.labeler.health;

import io.distillery.labeler.gate.GateState;
import io.distillery.labeler.gate.TeacherGate;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the labeler: UP only when the start-up gate is open (the teacher was described, is
 * compatible and may be distilled from). DOWN carries the reason: {@code teacher unreachable: ...},
 * a task or shape contradiction, or a forbidding licence.
 */
@Readiness
@ApplicationScoped
public class TeacherGateReadinessCheck implements HealthCheck {

  /** Name of the check in {@code /q/health/ready}. */
  public static final String NAME = "distillery-teacher-gate";

  private final TeacherGate gate;

  public TeacherGateReadinessCheck(TeacherGate gate) {
    this.gate = gate;
  }

  @Override
  public HealthCheckResponse call() {
    GateState state = gate.state();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named(NAME)
            .status(state.isOpen())
            .withData("phase", state.phase().name().toLowerCase(Locale.ROOT));
    if (!state.isOpen()) {
      response.withData("reason", state.reason());
    }
    state
        .plan()
        .ifPresent(
            plan -> {
              response
                  .withData("teacher", plan.teacher().describe())
                  .withData("distillation", plan.teacher().distillation().name())
                  .withData("forbiddenTeacherOverride", plan.forbiddenTeacherOverride())
                  .withData("topK", plan.topK())
                  .withData("temperature", String.valueOf(plan.temperature()))
                  .withData("batchSize", plan.batchSize());
            });
    return response.build();
  }
}
