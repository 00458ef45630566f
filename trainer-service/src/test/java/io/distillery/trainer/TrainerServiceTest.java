package io.distillery.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.trainer.checkpoint.JobCheckpoints;
import io.distillery.trainer.config.TrainerConfig;
import io.distillery.trainer.job.IncompatibleJobException;
import io.distillery.trainer.job.JobHooks;
import io.distillery.trainer.job.JobLauncher;
import io.distillery.trainer.job.JobResult;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.job.RunningJob;
import io.distillery.trainer.support.FashionLabels;
import io.distillery.trainer.support.KafkaLabels;
import io.distillery.trainer.support.Manifests;
import io.distillery.trainer.support.TempDirs;
import io.distillery.trainer.support.TrainerProcess;
import io.distillery.trainer.training.StepResult;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * trainer-service against a real Kafka broker (two partitions) carrying real Fashion-MNIST soft
 * labels: learning, independent jobs, crash recovery (in-process and {@code kill -9} of a separate
 * JVM), fail-fast, bad records, checkpoint events, health and metrics.
 */
@QuarkusTest
@QuarkusTestResource(
    value = LocalKafkaTestResource.class,
    initArgs = @ResourceArg(name = LocalKafkaTestResource.PARTITIONS_ARG, value = "2"))
class TrainerServiceTest {

  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
  private static final int PASSES = 2;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject JobLauncher launcher;

  @Inject TrainerConfig config;

  private Map<Integer, Long> endOffsets;
  private Path root;

  @AfterEach
  void removeCheckpoints() {
    TempDirs.delete(root);
  }

  @BeforeEach
  void labelLog() throws Exception {
    endOffsets = KafkaLabels.ensureProduced(bootstrapServers);
    root = Files.createTempDirectory("trainer-checkpoints");
  }

  private JobSpec spec(String job) {
    return JobSpec.defaults(job, root).toBuilder()
        .batchSize(64)
        .shuffleBuffer(512)
        .checkpointInterval(5)
        .passes(PASSES)
        .build();
  }

  private static final class Crash extends Error {
    Crash(String where) {
      super("simulated crash " + where);
    }
  }

  @Test
  void learnsFromRealSoftLabelsSkipsBadRecordsAndAnnouncesLoadableCheckpoints() throws Exception {
    JobSpec spec = spec("learns").toBuilder().passes(4).build();
    List<List<Float>> losses = new ArrayList<>();
    JobHooks recordLosses =
        new JobHooks() {
          @Override
          public void afterStep(int pass, long step, int samples, StepResult loss) {
            while (losses.size() <= pass) {
              losses.add(new ArrayList<>());
            }
            losses.get(pass).add(loss.total());
          }
        };

    JobResult result = launcher.launch(spec, recordLosses).await(JOB_TIMEOUT);

    assertTrue(result.finished());
    assertEquals(4L * KafkaLabels.USABLE, result.samplesSeen(), "bad records are not trained on");
    double first = mean(losses.get(0));
    double last = mean(losses.get(3));
    assertTrue(last < 0.6 * first, "mean loss fell from " + first + " to " + last);

    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    Manifests.assertEachOffsetOncePerPass(chain, endOffsets, 4);
    List<CheckpointEvent> events = events(spec.jobId(), chain.size());
    assertEquals(chain.size(), events.size(), "one event per checkpoint");
    CheckpointEvent finalEvent = events.get(events.size() - 1);
    assertTrue(finalEvent.getFinal());
    assertEquals(4L * KafkaLabels.USABLE, finalEvent.getSamplesSeen());
    assertEquals("fixture-mlp", finalEvent.getTeachers(0).getModelId());
    assertEquals(1, finalEvent.getTeachersCount(), "the 5-class record was never trained on");

    // The evaluator's way in: the event names a verified checkpoint the student loads from.
    Checkpoint checkpoint = CheckpointStore.open(finalEvent);
    LabeledImages test = FashionLabels.test().head(1000);
    try (InputStream params = Files.newInputStream(checkpoint.file(StudentModels.PARAMS_FILE));
        Model student = StudentModels.load(finalEvent.getStudent(), params)) {
      int errors = new ModelRunner(student, test.sampleShape()).errors(test, 100);
      System.out.printf(
          "learns: mean loss pass 1 %.4f -> pass 4 %.4f; student %d errors on 1,000 test images%n",
          first, last, errors);
      assertTrue(errors < 350, "student accuracy on 1,000 test images: " + (1000 - errors) / 10.0);
    }

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertTrue(
        metrics.contains(
            "distillery_trainer_labels_skipped_total{job=\"learns\",reason=\"undecodable\"} 4.0"),
        "one undecodable record per pass");
    assertTrue(
        metrics.contains(
            "distillery_trainer_labels_skipped_total{job=\"learns\",reason=\"wrong-output-size\"}"
                + " 4.0"));
    assertTrue(
        metrics.contains(
            "distillery_trainer_labels_skipped_total{job=\"learns\",reason=\"bad-distribution\"}"
                + " 4.0"));
    assertTrue(metrics.contains("distillery_trainer_step{job=\"learns\"} " + result.step() + ".0"));
    assertTrue(metrics.contains("distillery_trainer_checkpoints_written_total{job=\"learns\"}"));
    assertTrue(metrics.contains("distillery_trainer_loss{job=\"learns\",part=\"soft\"}"));
    given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
  }

  @Test
  void twoJobsOnTheSameTopicTrainIndependently() throws Exception {
    JobSpec forward = spec("two-forward");
    JobSpec jsd =
        spec("two-jsd").toBuilder()
            .student(StudentModels.mlp(List.of(1L, 28L, 28L), List.of(32), 10, 0f))
            .loss(LossSettings.of(Divergence.JSD, 2f, 0f))
            .build();

    RunningJob a = launcher.launch(forward, JobHooks.NONE);
    RunningJob b = launcher.launch(jsd, JobHooks.NONE);
    JobResult resultA = a.await(JOB_TIMEOUT);
    JobResult resultB = b.await(JOB_TIMEOUT);

    for (JobSpec spec : List.of(forward, jsd)) {
      List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
      Manifests.assertEachOffsetOncePerPass(chain, endOffsets, PASSES);
      assertEquals(
          endOffsets,
          KafkaLabels.committed(bootstrapServers, spec.consumerGroup()),
          spec.consumerGroup() + " committed the end of the log with its final checkpoint");
    }
    assertEquals(PASSES * KafkaLabels.USABLE, resultA.samplesSeen());
    assertEquals(PASSES * KafkaLabels.USABLE, resultB.samplesSeen());
    CheckpointEvent lastA = last(forward);
    CheckpointEvent lastB = last(jsd);
    assertEquals(List.of(128), lastA.getStudent().getHiddenSizesList());
    assertEquals(List.of(32), lastB.getStudent().getHiddenSizesList());
    assertEquals("forward-kl", lastA.getLoss().getDivergence());
    assertEquals("jsd", lastB.getLoss().getDivergence());
    assertEquals(0.5f, lastB.getLoss().getDivergenceParam());
  }

  @Test
  void aTrainerStoppedAbruptlyBetweenAndDuringCheckpointsCountsEveryLabelOncePerPass()
      throws Exception {
    JobSpec spec = spec("abrupt");
    ExecutionException between =
        assertThrows(
            ExecutionException.class,
            () ->
                launcher
                    .launch(
                        spec,
                        new JobHooks() {
                          @Override
                          public void afterStep(int pass, long step, int samples, StepResult l) {
                            if (step == 13) {
                              throw new Crash("after step 13");
                            }
                          }
                        })
                    .await(JOB_TIMEOUT));
    assertInstanceOf(Crash.class, between.getCause());
    assertEquals(10, latest(spec).manifest().getStep(), "steps 11-13 were never committed");

    ExecutionException during =
        assertThrows(
            ExecutionException.class,
            () ->
                launcher
                    .launch(
                        spec,
                        new JobHooks() {
                          @Override
                          public void beforeCheckpointFile(long step, String file) {
                            if (step == 29 && file.equals(JobCheckpoints.OPTIMIZER_FILE)) {
                              throw new Crash("writing step 29");
                            }
                          }
                        })
                    .await(JOB_TIMEOUT));
    assertInstanceOf(Crash.class, during.getCause());
    // Pass 0 closes at step 19 (1,200 labels in batches of 64), pass 1 checkpoints at 24, 29, ...
    assertEquals(24, latest(spec).manifest().getStep(), "the half-written step 29 is ignored");

    JobResult result = launcher.launch(spec, JobHooks.NONE).await(JOB_TIMEOUT);

    assertTrue(result.finished());
    assertEquals(PASSES * KafkaLabels.USABLE, result.samplesSeen());
    Manifests.assertEachOffsetOncePerPass(Manifests.chain(root, spec.jobId()), endOffsets, PASSES);
  }

  @Test
  void aTrainerProcessKilledWithSigkillResumesAndCountsEveryLabelOncePerPass() throws Exception {
    String job = "sigkill";
    Path log = root.resolve("trainer-process.log");
    Process process =
        new ProcessBuilder(
                javaBinary(),
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                TrainerProcess.class.getName(),
                bootstrapServers,
                root.toString(),
                job)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (checkpointCount(job) < 3 && process.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(
          process.isAlive(), "the trainer process is still training: " + Files.readString(log));
      Thread.sleep(70);
    } finally {
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      process.waitFor(10, TimeUnit.SECONDS);
    }
    assertEquals(137, process.exitValue(), "killed by SIGKILL");
    long killedAt = latest(TrainerProcess.spec(job, root)).manifest().getStep();
    assertTrue(killedAt < 38, "killed mid-job, latest checkpoint at step " + killedAt);

    JobResult result =
        launcher.launch(TrainerProcess.spec(job, root), JobHooks.NONE).await(JOB_TIMEOUT);

    assertTrue(result.finished());
    assertEquals(PASSES * KafkaLabels.USABLE, result.samplesSeen());
    Manifests.assertEachOffsetOncePerPass(Manifests.chain(root, job), endOffsets, PASSES);
  }

  @Test
  void aStudentThatDoesNotFitTheTeacherFailsBeforeItsFirstStep() throws Exception {
    JobSpec spec =
        spec("misfit").toBuilder()
            .student(StudentModels.mlp(List.of(1L, 28L, 28L), List.of(64), 7, 0f))
            .build();
    long[] steps = {0};

    RunningJob running =
        launcher.launch(
            spec,
            new JobHooks() {
              @Override
              public void afterStep(int pass, long step, int samples, StepResult loss) {
                steps[0]++;
              }
            });
    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> running.await(JOB_TIMEOUT));

    IncompatibleJobException e =
        assertInstanceOf(IncompatibleJobException.class, failure.getCause());
    assertTrue(
        e.getMessage().contains("teacher fixture-mlp test-1 has output size 10"), e.getMessage());
    assertTrue(e.getMessage().contains("student mlp-784-64-7 has output size 7"), e.getMessage());
    assertEquals(0, steps[0]);
    assertEquals("FAILED", running.status().state().name());
    assertFalse(Files.exists(root.resolve("misfit")), "no checkpoint");
  }

  @Test
  void theConfigurationDefaultsDescribeTheDocumentedJob() {
    assertEquals(JobSpec.defaults("default", Path.of("checkpoints")), JobSpec.from(config));
  }

  @Test
  void healthIsUpAndMetricsArePrometheus() {
    given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    given().get("/q/metrics").then().statusCode(200).body(containsString("# TYPE"));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private List<CheckpointEvent> events(String job, int expected) throws Exception {
    List<CheckpointEvent> events = new ArrayList<>();
    List<ConsumerRecord<String, byte[]>> all =
        TopicReader.read(
            bootstrapServers, DistilleryTopics.CHECKPOINTS, 1000, Duration.ofSeconds(5));
    for (ConsumerRecord<String, byte[]> record : all) {
      if (job.equals(record.key())) {
        events.add(CheckpointEvent.parseFrom(record.value()));
      }
    }
    events.sort((x, y) -> Long.compare(x.getStep(), y.getStep()));
    assertNotEquals(0, events.size(), "events for " + job + ", expected " + expected);
    return events;
  }

  private CheckpointEvent last(JobSpec spec) throws Exception {
    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    return chain.get(chain.size() - 1);
  }

  private Checkpoint latest(JobSpec spec) throws Exception {
    return new CheckpointStore(root).latest(spec.jobId()).orElseThrow();
  }

  private long checkpointCount(String job) throws Exception {
    Path dir = root.resolve(job);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (var entries = Files.list(dir)) {
      return entries.filter(p -> p.getFileName().toString().startsWith("step-")).count();
    }
  }

  private static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }

  private static double mean(List<Float> values) {
    return values.stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
  }
}
