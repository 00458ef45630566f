package io.distillery.evaluator.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.scoring.Scores;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.EvaluationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion rules and the state files they leave next to the checkpoints: plain JUnit on a
 * temporary directory, because deciding and recording needs neither Kafka nor a model.
 */
class PromotionTest {

  private static final String SET = "fashion-mnist/t10k";
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC);

  @TempDir Path jobDir;

  private static Scores scores(double accuracy, double kl) {
    return new Scores(10_000, (int) Math.round((1 - accuracy) * 10_000), accuracy, 0.9, kl, 0.4);
  }

  private static PromotedPointer pointer(String metric, double value, String set) {
    return new PromotedPointer(
        "job", 1, "file:///c/job/step-1/", "a".repeat(64), metric, value, set, 1);
  }

  private static EvaluationEvent scored(long step, String sha, Scores scores) {
    return EvaluationEvent.newBuilder()
        .setJobId("job")
        .setStep(step)
        .setCheckpointUri("file:///c/job/step-" + step + "/")
        .setCheckpointSha256(sha)
        .setEvalSetId(SET)
        .setStatus(EvaluationStatus.EVALUATION_OK)
        .setMetrics(EvaluationMetrics.newBuilder().setAccuracy(scores.accuracy()))
        .build();
  }

  @Test
  void theFirstCheckpointIsPromotedAndLaterOnesOnlyByTheMinimumImprovement() {
    PromotionPolicy policy = new PromotionPolicy(PromotionMetric.ACCURACY, 0.001);
    Optional<PromotedPointer> best = Optional.of(pointer("accuracy", 0.8, SET));

    assertTrue(policy.promotes(Optional.empty(), scores(0.1, 1), SET));
    assertTrue(policy.promotes(best, scores(0.801, 1), SET), "exactly the minimum counts");
    assertFalse(policy.promotes(best, scores(0.8009, 1), SET));
    assertFalse(policy.promotes(best, scores(0.8, 1), SET));
    assertFalse(policy.promotes(best, scores(0.7, 1), SET));
  }

  @Test
  void lowerIsBetterForKlAndAZeroMinimumStillNeedsAStrictGain() {
    PromotionPolicy policy = new PromotionPolicy(PromotionMetric.KL_TEACHER_STUDENT, 0);
    Optional<PromotedPointer> best = Optional.of(pointer("kl-teacher-student", 0.2, SET));

    assertTrue(policy.promotes(best, scores(0.5, 0.19), SET));
    assertFalse(policy.promotes(best, scores(0.9, 0.2), SET));
    assertFalse(policy.promotes(best, scores(0.9, 0.25), SET));
  }

  @Test
  void aPointerRankedByAnotherMetricOrEvalSetIsNotComparedAgainst() {
    PromotionPolicy policy = new PromotionPolicy(PromotionMetric.ACCURACY, 0.001);

    assertTrue(policy.promotes(Optional.of(pointer("nll", 0.1, SET)), scores(0.5, 1), SET));
    assertTrue(
        policy.promotes(Optional.of(pointer("accuracy", 0.9, "other")), scores(0.5, 1), SET));
  }

  @Test
  void aNegativeOrNanMinimumIsRefusedNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PromotionPolicy(PromotionMetric.ACCURACY, -0.1));
    assertTrue(e.getMessage().contains("promotion.min-improvement"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new PromotionPolicy(PromotionMetric.ACCURACY, Double.NaN));
  }

  @Test
  void settlingWritesThePointerAndARecordThatAFreshInstanceReadsBack() throws Exception {
    PromotionService service =
        new PromotionService(new PromotionPolicy(PromotionMetric.ACCURACY, 0.001), CLOCK);
    JobState state = new JobState(jobDir);

    PromotionService.Settled first =
        service.settle(state, scored(1, "1".repeat(64), scores(0.7, 1)), scores(0.7, 1));
    PromotionService.Settled second =
        service.settle(state, scored(2, "2".repeat(64), scores(0.75, 1)), scores(0.75, 1));
    PromotionService.Settled third =
        service.settle(state, scored(3, "3".repeat(64), scores(0.7505, 1)), scores(0.7505, 1));

    assertTrue(first.newlyPromoted() && first.event().getPromoted());
    assertTrue(second.newlyPromoted() && second.event().getPromoted());
    assertFalse(third.newlyPromoted() || third.event().getPromoted());
    // A restarted evaluator sees the same state.
    JobState reopened = new JobState(jobDir);
    PromotedPointer pointer = reopened.promoted().orElseThrow();
    assertEquals(2, pointer.step());
    assertEquals("2".repeat(64), pointer.manifestSha256());
    assertEquals(0.75, pointer.value());
    assertEquals(1234, pointer.promotedAtMs());
    assertEquals(Optional.of(first.event()), reopened.recorded("1".repeat(64)));
    assertEquals(Optional.of(third.event()), reopened.recorded("3".repeat(64)));
    assertTrue(Files.readString(jobDir.resolve("promoted")).contains("\"manifest_sha256\""));
    try (var leftovers = Files.list(jobDir)) {
      assertEquals(0, leftovers.filter(p -> p.getFileName().toString().contains(".tmp-")).count());
    }
  }

  @Test
  void aCheckpointAlreadyInThePointerIsReportedPromotedWithoutMovingIt() throws Exception {
    // The state a crash between writing the pointer and writing the record leaves behind.
    JobState state = new JobState(jobDir);
    state.promote(
        new PromotedPointer(
            "job", 5, "file:///c/job/step-5/", "5".repeat(64), "accuracy", 0.8, SET, 99));
    PromotionService service =
        new PromotionService(new PromotionPolicy(PromotionMetric.ACCURACY, 0.001), CLOCK);

    PromotionService.Settled again =
        service.settle(state, scored(5, "5".repeat(64), scores(0.8, 1)), scores(0.8, 1));

    assertTrue(again.event().getPromoted());
    assertFalse(again.newlyPromoted());
    assertEquals(99, state.promoted().orElseThrow().promotedAtMs());
  }

  @Test
  void anUnwritableJobDirectoryIsAStateFailureNamingIt() throws Exception {
    Path notADirectory = Files.writeString(jobDir.resolve("file"), "x");
    PromotionService service =
        new PromotionService(new PromotionPolicy(PromotionMetric.ACCURACY, 0.001), CLOCK);

    EvaluationFailure e =
        assertThrows(
            EvaluationFailure.class,
            () ->
                service.settle(
                    new JobState(notADirectory),
                    scored(1, "1".repeat(64), scores(0.7, 1)),
                    scores(0.7, 1)));
    assertEquals(EvaluationFailure.STATE_IO, e.reason());
    assertTrue(e.getMessage().contains(notADirectory.toString()), e.getMessage());
  }

  @Test
  void aDamagedRecordIsIgnoredSoTheCheckpointIsScoredAgain() throws Exception {
    JobState state = new JobState(jobDir);
    Path record = state.recordFile("7".repeat(64));
    Files.createDirectories(record.getParent());
    Files.writeString(record, "{\"jobId\": ");

    assertEquals(Optional.empty(), state.recorded("7".repeat(64)));
  }
}
