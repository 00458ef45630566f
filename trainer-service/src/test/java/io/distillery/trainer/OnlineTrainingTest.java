package io.distillery.trainer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.distillery.teacherclient.testing.FakeTeacherResource;
import io.distillery.trainer.job.JobHooks;
import io.distillery.trainer.job.JobLauncher;
import io.distillery.trainer.job.JobResult;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.job.JobStatus;
import io.distillery.trainer.job.OnlineSettings;
import io.distillery.trainer.job.RunningJob;
import io.distillery.trainer.job.Source;
import io.distillery.trainer.support.FashionLabels;
import io.distillery.trainer.support.FixtureTeacher;
import io.distillery.trainer.support.KafkaLabels;
import io.distillery.trainer.support.Manifests;
import io.distillery.trainer.support.TempDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Online mode against a Teacher gRPC server on a real socket, which labels with a real DJL model
 * (the fixture teacher on PyTorch), and the soft-label log on a real broker.
 */
@QuarkusTest
@QuarkusTestResource(
    value = LocalKafkaTestResource.class,
    initArgs = @ResourceArg(name = LocalKafkaTestResource.PARTITIONS_ARG, value = "2"))
@QuarkusTestResource(FakeTeacherResource.class)
class OnlineTrainingTest {

  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
  private static final int PASSES = 2;
  private static FixtureTeacher fixture;

  /** Serves on a real socket; injected by {@link FakeTeacherResource}. */
  FakeTeacher teacher;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject JobLauncher launcher;

  private Map<Integer, Long> endOffsets;
  private Path root;

  @BeforeAll
  static void loadTeacher() throws Exception {
    fixture = new FixtureTeacher();
  }

  @AfterAll
  static void closeTeacher() {
    fixture.close();
  }

  @AfterEach
  void removeCheckpoints() {
    TempDirs.delete(root);
  }

  @BeforeEach
  void labelLog() throws Exception {
    endOffsets = KafkaLabels.ensureProduced(bootstrapServers);
    root = Files.createTempDirectory("trainer-online");
    fixture.serve(teacher).latency(Duration.ofMillis(15));
  }

  private JobSpec spec(String job) {
    return JobSpec.defaults(job, root).toBuilder()
        .source(Source.ONLINE)
        .batchSize(64)
        .shuffleBuffer(512)
        .checkpointInterval(5)
        .passes(PASSES)
        .online(
            new OnlineSettings(
                0, 2, 0f, 2, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(500)))
        .build();
  }

  @Test
  void anOnlineJobTrainsOnAugmentedViewsThatTheTeacherLabelsOverGrpc() throws Exception {
    JobSpec base = spec("online");
    JobSpec spec =
        base.toBuilder()
            .online(
                new OnlineSettings(
                    0,
                    2,
                    0.2f,
                    2,
                    Duration.ofSeconds(2),
                    Duration.ofMillis(100),
                    Duration.ofMillis(500)))
            .build();

    JobResult result = launcher.launch(spec, JobHooks.NONE).await(JOB_TIMEOUT);

    assertTrue(result.finished());
    assertEquals(PASSES * KafkaLabels.USABLE_ONLINE, result.samplesSeen());
    assertEquals(
        result.samplesSeen(), teacher.samples(), "the teacher labelled every trained view, once");
    assertTrue(
        teacher.maxConcurrentCalls() >= 2,
        "label requests overlap (" + teacher.maxConcurrentCalls() + " at once)");
    Set<Integer> originals = new HashSet<>();
    for (SoftLabelEvent event : FashionLabels.events(0, KafkaLabels.USABLE)) {
      originals.add(event.getInput().getTensor().getValuesList().hashCode());
    }
    long shifted = fixture.viewHashes().stream().filter(h -> !originals.contains(h)).count();
    assertTrue(
        shifted > fixture.viewHashes().size() / 2,
        "most views are shifted or mixed images: "
            + shifted
            + " of "
            + fixture.viewHashes().size());
    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    Manifests.assertEachOffsetOncePerPass(chain, endOffsets, PASSES);
    CheckpointEvent last = chain.get(chain.size() - 1);
    assertEquals(List.of(FixtureTeacher.MODEL_ID), teacherIds(last), "lineage: the online teacher");
  }

  @Test
  void aTeacherOutagePausesTrainingWithoutLosingOrDoubleCountingSteps() throws Exception {
    JobSpec spec = spec("online-outage");
    RunningJob running = launcher.launch(spec, JobHooks.NONE);
    awaitStep(running, 8);

    teacher.stopServing();
    long atOutage = running.job().step();
    Thread.sleep(2500);
    long duringOutage = running.job().step();
    JobStatus status = running.status();
    String metrics = given().get("/q/metrics").then().extract().asString();
    teacher.startServing();
    JobResult result = running.await(JOB_TIMEOUT);

    assertTrue(
        duringOutage <= atOutage + spec.online().maxInFlight(),
        "only batches labelled before the outage are trained: " + atOutage + " -> " + duringOutage);
    assertEquals(JobStatus.State.WAITING_FOR_TEACHER, status.state(), status.message());
    assertTrue(metrics.contains("distillery_trainer_teacher_up{job=\"online-outage\"} 0.0"));
    assertTrue(
        metrics.contains(
            "distillery_trainer_teacher_requests_total{job=\"online-outage\",outcome=\"unavailable\"}"),
        "failed requests are counted");
    assertTrue(result.finished());
    assertEquals(
        PASSES * KafkaLabels.USABLE_ONLINE, result.samplesSeen(), "no sample lost or doubled");
    Manifests.assertEachOffsetOncePerPass(Manifests.chain(root, spec.jobId()), endOffsets, PASSES);
  }

  private static void awaitStep(RunningJob running, long step) throws InterruptedException {
    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    while ((running.job() == null || running.job().step() < step)
        && System.nanoTime() < deadline
        && !running.result().isDone()) {
      Thread.sleep(10);
    }
    assertTrue(running.job() != null && running.job().step() >= step, "reached step " + step);
  }

  private static List<String> teacherIds(CheckpointEvent event) {
    return event.getTeachersList().stream().map(c -> c.getModelId()).toList();
  }
}
