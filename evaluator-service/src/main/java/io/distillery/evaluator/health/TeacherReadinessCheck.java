package io.distillery.evaluator.health;

import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.teacher.TeacherStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready unless a checkpoint is held because the teacher cannot be reached and no cached reference
 * fits; the response then says why. Kafka's own checks are added by Quarkus.
 */
@Readiness
@ApplicationScoped
public class TeacherReadinessCheck implements HealthCheck {

  private final TeacherStatus teacher;
  private final EvalSet evalSet;

  public TeacherReadinessCheck(TeacherStatus teacher, EvalSet evalSet) {
    this.teacher = teacher;
    this.evalSet = evalSet;
  }

  @Override
  public HealthCheckResponse call() {
    Optional<String> waiting = teacher.waitingReason();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("evaluator")
            .withData("eval-set", evalSet.id())
            .withData("eval-set-images", evalSet.size());
    return waiting.isPresent()
        ? response.down().withData("reason", "teacher unreachable: " + waiting.get()).build()
        : response.up().build();
  }
}
