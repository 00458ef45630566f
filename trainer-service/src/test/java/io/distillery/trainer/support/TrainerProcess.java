package io.distillery.trainer.support;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.trainer.checkpoint.JobCheckpoints;
import io.distillery.trainer.job.DistillationService;
import io.distillery.trainer.job.JobHooks;
import io.distillery.trainer.job.JobResult;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.labels.KafkaLabelFeed;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.training.OfflineTargets;
import io.distillery.trainer.training.StepResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A trainer in its own JVM, for the {@code kill -9} test: the service's job loop with the Kafka
 * feed and a plain producer for checkpoint events, slowed down by a sleep per step so the test can
 * kill it mid-pass. Arguments: bootstrap servers, checkpoint root, job id.
 */
public final class TrainerProcess {

  private TrainerProcess() {}

  /** The job both the killed process and the in-test resume run. */
  public static JobSpec spec(String jobId, Path root) {
    return JobSpec.defaults(jobId, root).toBuilder()
        .batchSize(64)
        .shuffleBuffer(256)
        .checkpointInterval(3)
        .passes(2)
        .build();
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    JobSpec spec = spec(args[2], Path.of(args[1]));
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config);
        KafkaLabelFeed feed =
            new KafkaLabelFeed(bootstrap, spec.topic(), spec.consumerGroup(), 1024, Map.of())) {
      JobHooks slow =
          new JobHooks() {
            @Override
            public void afterStep(int pass, long step, int samples, StepResult loss) {
              System.out.println("step " + step);
              try {
                Thread.sleep(40);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          };
      DistillationService job =
          new DistillationService(
              spec,
              feed,
              OfflineTargets.of(spec),
              new JobCheckpoints(
                  spec.checkpointDir(),
                  spec.jobId(),
                  (CheckpointEvent event) ->
                      producer
                          .send(
                              new ProducerRecord<>(
                                  DistilleryTopics.CHECKPOINTS,
                                  event.getJobId(),
                                  event.toByteArray()))
                          .get(),
                  slow::beforeCheckpointFile),
              new JobMetrics(new SimpleMeterRegistry(), spec.jobId()),
              slow);
      JobResult result = job.run();
      System.out.println("finished " + result + " " + List.of());
    }
  }
}
