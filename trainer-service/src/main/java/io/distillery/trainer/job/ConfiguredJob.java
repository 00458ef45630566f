package io.distillery.trainer.job;

import io.distillery.trainer.config.TrainerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The job this process runs, from {@link TrainerConfig}: started with the application (unless
 * {@code distillery.trainer.enabled=false}) and stopped with it. Stopping writes no checkpoint: the
 * next start resumes from the latest one, exactly as after a crash.
 */
@ApplicationScoped
public class ConfiguredJob {

  private static final Logger LOG = Logger.getLogger(ConfiguredJob.class);

  private final TrainerConfig config;
  private final JobLauncher launcher;
  private volatile RunningJob running;
  private volatile String configError;

  public ConfiguredJob(TrainerConfig config, JobLauncher launcher) {
    this.config = config;
    this.launcher = launcher;
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.enabled()) {
      LOG.info("distillery.trainer.enabled=false: no job starts with the application");
      return;
    }
    JobSpec spec;
    try {
      spec = JobSpec.from(config);
    } catch (IllegalArgumentException e) {
      configError = e.getMessage();
      LOG.errorf("the job configuration is invalid: %s", e.getMessage());
      return;
    }
    LOG.infof(
        "starting job %s (%s): student %s, loss %s, %d passes over %s",
        spec.jobId(),
        spec.source().name().toLowerCase(java.util.Locale.ROOT),
        spec.network().name(),
        spec.loss(),
        spec.passes(),
        spec.topic());
    running = launcher.launch(spec, JobHooks.NONE);
  }

  void onStop(@Observes ShutdownEvent event) {
    RunningJob current = running;
    if (current != null) {
      current.stop(Duration.ofSeconds(20));
    }
  }

  /** The running job, if one was started. */
  public Optional<RunningJob> running() {
    return Optional.ofNullable(running);
  }

  /** Why the configuration could not be turned into a job, if it could not. */
  public Optional<String> configError() {
    return Optional.ofNullable(configError);
  }
}
