package io.distillery.trainer.job;

import io.distillery.proto.kafka.KafkaSecuritySettings;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.distillery.teacherclient.credentials.BearerToken;
import io.distillery.trainer.checkpoint.CheckpointPublisher;
import io.distillery.trainer.checkpoint.JobCheckpoints;
import io.distillery.trainer.config.TrainerConfig;
import io.distillery.trainer.labels.KafkaLabelFeed;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.metrics.TrainerMetrics;
import io.distillery.trainer.online.OnlineTargets;
import io.distillery.trainer.training.ContinuationTargets;
import io.distillery.trainer.training.OfflineTargets;
import io.distillery.trainer.training.TargetSource;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires a {@link DistillationService} to Kafka, the teacher and the metrics, and runs it. */
@ApplicationScoped
public class JobLauncher {

  /** Decoded labels buffered between the Kafka reader and the training thread (~3 KB each). */
  static final int READ_AHEAD = 4096;

  private final String bootstrapServers;
  private final Map<String, Object> kafkaSecurity;
  private final CheckpointPublisher publisher;
  private final TrainerMetrics metrics;
  private final MutinyTeacherStub teacher;

  public JobLauncher(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
      CheckpointPublisher publisher,
      TrainerMetrics metrics,
      @GrpcClient("teacher") MutinyTeacherStub teacher,
      TrainerConfig config) {
    this.bootstrapServers = bootstrapServers;
    this.kafkaSecurity = KafkaSecuritySettings.of(kafkaConfig);
    this.publisher = publisher;
    this.metrics = metrics;
    this.teacher =
        BearerToken.attach(
            teacher, config.online().teacherToken(), config.online().teacherTokenFile());
  }

  /** Starts a job on its own thread. */
  public RunningJob launch(JobSpec spec, JobHooks hooks) {
    return RunningJob.start(
        spec.jobId(),
        started -> {
          JobMetrics jobMetrics = metrics.forJob(spec.jobId());
          try (KafkaLabelFeed feed =
                  new KafkaLabelFeed(
                      bootstrapServers,
                      spec.topic(),
                      spec.consumerGroup(),
                      READ_AHEAD,
                      kafkaSecurity);
              TargetSource targets = targets(spec, jobMetrics)) {
            DistillationService job =
                new DistillationService(
                    spec,
                    feed,
                    targets,
                    new JobCheckpoints(
                        spec.checkpointDir(), spec.jobId(), publisher, hooks::beforeCheckpointFile),
                    jobMetrics,
                    hooks);
            started.accept(job);
            return job.run();
          }
        });
  }

  private TargetSource targets(JobSpec spec, JobMetrics jobMetrics) {
    return switch (spec.source()) {
      case OFFLINE -> OfflineTargets.of(spec);
      case ONLINE -> new OnlineTargets(spec, teacher, jobMetrics);
      case SEQKD -> ContinuationTargets.of(spec);
    };
  }
}
