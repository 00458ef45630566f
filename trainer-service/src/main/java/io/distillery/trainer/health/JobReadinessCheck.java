package io.distillery.trainer.health;

import io.distillery.trainer.job.ConfiguredJob;
import io.distillery.trainer.job.JobStatus;
import io.distillery.trainer.job.RunningJob;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready unless the configured job failed (an incompatible teacher, a bad configuration, an I/O
 * error): then DOWN with the reason, so an operator sees why training stopped.
 */
@Readiness
@ApplicationScoped
public class JobReadinessCheck implements HealthCheck {

  private final ConfiguredJob job;

  public JobReadinessCheck(ConfiguredJob job) {
    this.job = job;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("trainer job");
    if (job.configError().isPresent()) {
      return response.down().withData("error", job.configError().get()).build();
    }
    if (job.running().isEmpty()) {
      return response.up().withData("job", "none started").build();
    }
    RunningJob running = job.running().get();
    JobStatus status = running.status();
    response
        .withData("job", running.jobId())
        .withData("state", status.state().name())
        .withData("message", String.valueOf(status.message()));
    if (running.job() != null) {
      response.withData("step", running.job().step());
    }
    return status.state() == JobStatus.State.FAILED
        ? response.down().build()
        : response.up().build();
  }
}
