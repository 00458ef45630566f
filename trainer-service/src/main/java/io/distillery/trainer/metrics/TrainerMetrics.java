package io.distillery.trainer.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The service's metrics: one {@link JobMetrics} per job id, shared by every run of that job. */
@ApplicationScoped
public class TrainerMetrics {

  private final MeterRegistry registry;
  private final Map<String, JobMetrics> jobs = new ConcurrentHashMap<>();

  public TrainerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The metrics of a job, created on first use. */
  public JobMetrics forJob(String jobId) {
    return jobs.computeIfAbsent(jobId, id -> new JobMetrics(registry, id));
  }
}
