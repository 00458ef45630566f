package io.distillery.trainer.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.trainer.checkpoint.JobCheckpoints;
import io.distillery.trainer.checkpoint.TrainerState;
import io.distillery.trainer.labels.SkipReason;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.support.FashionLabels;
import io.distillery.trainer.support.InMemoryLabelFeed;
import io.distillery.trainer.support.Manifests;
import io.distillery.trainer.support.RecordingPublisher;
import io.distillery.trainer.training.LearningRateSchedule;
import io.distillery.trainer.training.OfflineTargets;
import io.distillery.trainer.training.StepResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop's accounting on real Fashion-MNIST soft labels, with the log in memory: plain
 * JUnit, because exactly-once, crash recovery and fail-fast are properties of the loop, not of
 * Kafka (the Kafka-facing path has its own {@code @QuarkusTest}s).
 */
class DistillationServiceTest {

  private static List<SoftLabelEvent> labels;

  @TempDir Path root;

  @BeforeAll
  static void labels() throws Exception {
    labels = FashionLabels.events(0, 400);
  }

  private JobSpec spec(String job) {
    return JobSpec.defaults(job, root).toBuilder()
        .batchSize(32)
        .shuffleBuffer(96)
        .checkpointInterval(3)
        .passes(2)
        .build();
  }

  private static InMemoryLabelFeed feed(int partitions, List<SoftLabelEvent> events) {
    InMemoryLabelFeed feed = new InMemoryLabelFeed(partitions);
    for (int i = 0; i < events.size(); i++) {
      feed.append(i % partitions, events.get(i).toByteArray());
    }
    return feed;
  }

  private static final class Crash extends Error {
    Crash(String where) {
      super("simulated crash " + where);
    }
  }

  private JobResult run(
      JobSpec spec, InMemoryLabelFeed feed, RecordingPublisher publisher, JobHooks hooks)
      throws Exception {
    return job(spec, feed, publisher, hooks).run();
  }

  private DistillationService job(
      JobSpec spec, InMemoryLabelFeed feed, RecordingPublisher publisher, JobHooks hooks) {
    return new DistillationService(
        spec,
        feed,
        OfflineTargets.of(spec),
        new JobCheckpoints(root, spec.jobId(), publisher, hooks::beforeCheckpointFile),
        new JobMetrics(new SimpleMeterRegistry(), spec.jobId()),
        hooks);
  }

  @Test
  void everyLabelIsTrainedOncePerPassAndEachPassEndsWithACheckpoint() throws Exception {
    JobSpec spec = spec("exactly-once");
    InMemoryLabelFeed feed = feed(2, labels);
    RecordingPublisher publisher = new RecordingPublisher();

    JobResult result = run(spec, feed, publisher, JobHooks.NONE);

    assertTrue(result.finished());
    assertEquals(2L * labels.size(), result.samplesSeen());
    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    Manifests.assertEachOffsetOncePerPass(chain, Map.of(0, 200L, 1, 200L), 2);
    CheckpointEvent last = chain.get(chain.size() - 1);
    assertTrue(last.getFinal(), "the last checkpoint is final");
    assertEquals(1, last.getPass());
    assertEquals(result.step(), last.getStep());
    assertEquals(2L * labels.size(), last.getSamplesSeen());
    assertEquals(1, chain.stream().filter(CheckpointEvent::getFinal).count());
    // Segments of 3 steps × 32 labels: 400 labels need 4 full segments and a partial one per pass.
    assertEquals(10, chain.size());
    assertEquals(chain.size(), publisher.events().size(), "every checkpoint is announced");
    assertEquals(chain.size(), feed.commits().size(), "every checkpoint is committed");
    assertEquals(Map.of(0, 200L, 1, 200L), feed.commits().get(feed.commits().size() - 1));
    assertEquals("fixture-mlp", last.getTeachers(0).getModelId());
    assertEquals(List.of(128), last.getStudent().getHiddenSizesList());
    assertEquals("mlp", last.getStudent().getFamily());
    assertEquals(101_770, last.getStudent().getParameterCount());
    assertEquals("forward-kl", last.getLoss().getDivergence());
    assertEquals(0.5f, last.getLoss().getAlpha());
  }

  @Test
  void crashesBetweenAndDuringCheckpointsResumeToTheStudentOfAnUninterruptedRun() throws Exception {
    crashAndResume(spec("steady"), spec("crashy"));
  }

  @Test
  void aCosineScheduleWithWarmUpResumesBitForBit() throws Exception {
    // Total steps not configured: counted when the first pass starts (2 passes × 13 steps of 32
    // labels) and restored from the checkpoint, so the resumed job uses the same rates.
    LearningRateSchedule cosine =
        new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 3e-3f, 1e-5f, 5, 0);
    JobSpec steady = spec("cosine-steady").toBuilder().lrSchedule(cosine).build();
    crashAndResume(steady, steady.withJobId("cosine-crashy"));

    TrainerState state =
        TrainerState.fromJson(Files.readAllBytes(latest(steady).file(TrainerState.FILE)));
    assertEquals(26, state.lrTotalSteps());
    run(spec("constant"), feed(1, labels), new RecordingPublisher(), JobHooks.NONE);
    assertFalse(
        Arrays.equals(
            Files.readAllBytes(latest(steady).file(StudentModels.PARAMS_FILE)),
            Files.readAllBytes(latest(spec("constant")).file(StudentModels.PARAMS_FILE))),
        "the schedule changes the steps taken");
  }

  /**
   * The drill's defect (RELIABILITY.md, trainer drill): a job killed in its second pass and
   * restarted ended with another student than an uninterrupted run. A restarted job reads through a
   * cold consumer that seeks, and the loop drew a batch whenever the feed had nothing for it within
   * its wait and the buffer held a batch: which labels made up a batch depended on when records
   * arrived. Segments longer than the shuffle buffer (quota 128 > 64) are needed to see it: only
   * then are labels added between draws.
   */
  @Test
  void aJobStoppedInItsSecondPassResumesToTheUninterruptedStudentWhateverTheFeedsTiming()
      throws Exception {
    JobSpec steady =
        JobSpec.defaults("timing-steady", root).toBuilder()
            .batchSize(16)
            .shuffleBuffer(64)
            .checkpointInterval(8)
            .passes(2)
            .build();
    JobSpec stopped = steady.withJobId("timing-stopped");
    run(steady, feed(1, labels), new RecordingPublisher(), JobHooks.NONE);

    // Stopped (like a kill: no checkpoint) at step 36, in pass 1, 3 steps after its checkpoint.
    DistillationService[] first = new DistillationService[1];
    first[0] =
        job(
            stopped,
            feed(1, labels),
            new RecordingPublisher(),
            new JobHooks() {
              @Override
              public void afterStep(int pass, long step, int samples, StepResult loss) {
                if (step == 36) {
                  first[0].stop();
                }
              }
            });
    assertFalse(first[0].run().finished());
    CheckpointEvent resumedFrom = latest(stopped).manifest();
    assertEquals(33, resumedFrom.getStep());
    assertEquals(1, resumedFrom.getPass(), "the restart resumes inside the second pass");

    // Restarted: its reader now and then has nothing for the training thread within the wait.
    JobResult result =
        run(stopped, feed(1, labels).stallEvery(50), new RecordingPublisher(), JobHooks.NONE);

    assertTrue(result.finished());
    Manifests.assertEachOffsetOncePerPass(
        Manifests.chain(root, stopped.jobId()), Map.of(0, 400L), 2);
    assertArrayEquals(
        Files.readAllBytes(latest(steady).file(StudentModels.PARAMS_FILE)),
        Files.readAllBytes(latest(stopped).file(StudentModels.PARAMS_FILE)),
        "batches are a function of the log and the seed, not of when records arrive");
  }

  private void crashAndResume(JobSpec uninterrupted, JobSpec crashy) throws Exception {
    run(uninterrupted, feed(1, labels), new RecordingPublisher(), JobHooks.NONE);

    InMemoryLabelFeed feed = feed(1, labels);
    // Run 1 dies after step 8: steps 7 and 8 (after the checkpoint at 6) are lost.
    assertThrows(
        Crash.class,
        () ->
            run(
                crashy,
                feed,
                new RecordingPublisher(),
                new JobHooks() {
                  @Override
                  public void afterStep(int pass, long step, int samples, StepResult loss) {
                    if (step == 8) {
                      throw new Crash("after step 8");
                    }
                  }
                }));
    assertEquals(6, latest(crashy).manifest().getStep());
    // Run 2 dies while writing the checkpoint of step 19 (pass 1), leaving a half-written dir.
    assertThrows(
        Crash.class,
        () ->
            run(
                crashy,
                feed,
                new RecordingPublisher(),
                new JobHooks() {
                  @Override
                  public void beforeCheckpointFile(long step, String file) {
                    if (step == 19 && file.equals(JobCheckpoints.OPTIMIZER_FILE)) {
                      throw new Crash("writing step 19");
                    }
                  }
                }));
    assertEquals(16, latest(crashy).manifest().getStep());
    assertTrue(hasLeftover(crashy), "the interrupted write left a temporary directory");
    // Run 3 finishes.
    JobResult result = run(crashy, feed, new RecordingPublisher(), JobHooks.NONE);

    assertTrue(result.finished());
    assertFalse(hasLeftover(crashy), "leftovers of the interrupted write are cleaned up");
    List<CheckpointEvent> chain = Manifests.chain(root, crashy.jobId());
    Manifests.assertEachOffsetOncePerPass(chain, Map.of(0, 400L), 2);
    assertEquals(800, chain.get(chain.size() - 1).getSamplesSeen());
    assertArrayEquals(
        Files.readAllBytes(latest(uninterrupted).file(StudentModels.PARAMS_FILE)),
        Files.readAllBytes(latest(crashy).file(StudentModels.PARAMS_FILE)),
        "same batches, same Adam state: the resumed student is the uninterrupted one, bit for bit");
  }

  @Test
  void corruptLabelsAreSkippedCountedAndStillAccountedFor() throws Exception {
    List<SoftLabelEvent> valid = labels.subList(0, 200);
    JobSpec spec = spec("corrupt").toBuilder().passes(1).build();
    InMemoryLabelFeed feed = new InMemoryLabelFeed(1);
    for (int i = 0; i < valid.size(); i++) {
      feed.append(0, valid.get(i).toByteArray());
      if (i == 50) {
        feed.append(0, new byte[] {0x0F});
      } else if (i == 100) {
        feed.append(0, FashionLabels.wrongOutputSize(valid.get(i)).toByteArray());
      } else if (i == 150) {
        feed.append(0, FashionLabels.truncatedDistribution(valid.get(i)).toByteArray());
      }
    }
    DistillationService job = job(spec, feed, new RecordingPublisher(), JobHooks.NONE);

    JobResult result = job.run();

    assertTrue(result.finished());
    assertEquals(200, result.samplesSeen());
    assertEquals(
        Map.of(
            SkipReason.UNDECODABLE, 1L,
            SkipReason.WRONG_OUTPUT_SIZE, 1L,
            SkipReason.BAD_DISTRIBUTION, 1L),
        job.skipped());
    Manifests.assertEachOffsetOncePerPass(Manifests.chain(root, spec.jobId()), Map.of(0, 203L), 1);
  }

  @Test
  void aStudentWithAnotherOutputSizeFailsBeforeTheFirstStep() throws Exception {
    JobSpec spec =
        spec("mismatch").toBuilder()
            .student(StudentModels.mlp(List.of(1L, 28L, 28L), List.of(64), 5, 0f))
            .build();
    long[] steps = {0};

    IncompatibleJobException e =
        assertThrows(
            IncompatibleJobException.class,
            () ->
                run(
                    spec,
                    feed(1, labels),
                    new RecordingPublisher(),
                    new JobHooks() {
                      @Override
                      public void afterStep(int pass, long step, int samples, StepResult loss) {
                        steps[0]++;
                      }
                    }));

    assertTrue(e.getMessage().contains("fixture-mlp test-1 has output size 10"), e.getMessage());
    assertTrue(e.getMessage().contains("mlp-784-64-5 has output size 5"), e.getMessage());
    assertEquals(0, steps[0]);
    assertFalse(Files.exists(root.resolve("mismatch")), "no checkpoint was written");
  }

  @Test
  void topKLabelsAtAnotherTemperatureFailFastButCompleteOnesAreReTempered() throws Exception {
    JobSpec hot =
        spec("hot").toBuilder()
            .loss(
                new io.distillery.models.loss.LossSettings(
                    io.distillery.models.loss.Divergence.FORWARD_KL, 4f, 0.5f, Float.NaN))
            .build();

    IncompatibleJobException e =
        assertThrows(
            IncompatibleJobException.class,
            () -> run(hot, feed(1, labels), new RecordingPublisher(), JobHooks.NONE));

    assertTrue(e.getMessage().contains("T=2.0 with top-3 of 10"), e.getMessage());
    assertTrue(e.getMessage().contains("T=4.0"), e.getMessage());

    List<SoftLabelEvent> complete = FashionLabels.events(0, 100, 10);
    JobSpec hotOnComplete = hot.toBuilder().jobId("hot-complete").passes(1).build();
    JobResult result =
        run(hotOnComplete, feed(1, complete), new RecordingPublisher(), JobHooks.NONE);
    assertEquals(100, result.samplesSeen(), "labels with every class are re-tempered to T=4");
  }

  @Test
  void filtersSkipOtherTeachersAndCountThem() throws Exception {
    JobSpec spec =
        spec("filtered").toBuilder().passes(1).teacherFilter(Optional.of("fixture-mlp")).build();
    InMemoryLabelFeed feed = new InMemoryLabelFeed(1);
    for (int i = 0; i < 100; i++) {
      SoftLabelEvent label = labels.get(i);
      if (i % 4 == 3) {
        label =
            label.toBuilder()
                .setTeacher(label.getTeacher().toBuilder().setModelId("another-teacher"))
                .build();
      }
      feed.append(0, label.toByteArray());
    }
    DistillationService job = job(spec, feed, new RecordingPublisher(), JobHooks.NONE);

    JobResult result = job.run();

    assertEquals(75, result.samplesSeen());
    assertEquals(Map.of(SkipReason.FILTERED_TEACHER, 25L), job.skipped());
    List<CheckpointEvent> chain = Manifests.chain(root, spec.jobId());
    assertEquals(1, chain.get(chain.size() - 1).getTeachersCount(), "lineage: one teacher");
  }

  private Checkpoint latest(JobSpec spec) throws IOException {
    return new CheckpointStore(root).latest(spec.jobId()).orElseThrow();
  }

  private boolean hasLeftover(JobSpec spec) throws IOException {
    try (Stream<Path> entries = Files.list(root.resolve(spec.jobId()))) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
    }
  }
}
