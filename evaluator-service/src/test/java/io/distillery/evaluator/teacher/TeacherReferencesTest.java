package io.distillery.evaluator.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.models.data.LabeledImages;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch-once, memory and disk caching, and the outage behaviour of the teacher reference: plain
 * JUnit with an in-memory teacher, because the rules are about calls and files, not about gRPC or
 * models (the gRPC path is covered by EvaluationFlowTest).
 */
class TeacherReferencesTest {

  private static final int CLASSES = 3;
  private static final String SHA = "ab".repeat(32);

  @TempDir Path cacheDir;

  private final EvalSet evalSet = evalSet(5);
  private final TeacherStatus status = new TeacherStatus();
  private final List<TeacherReference> announced = new ArrayList<>();

  /** A classifier over 2×2 images whose log-probabilities depend on the first pixel. */
  private static final class InMemoryTeacher implements ReferenceTeacher {
    final AtomicInteger describeCalls = new AtomicInteger();
    final AtomicInteger labelCalls = new AtomicInteger();
    final List<Integer> batchSizes = new ArrayList<>();
    volatile int failuresLeft;
    volatile String sha = SHA;
    volatile int outputSize = CLASSES;

    @Override
    public TeacherInfo describe() {
      describeCalls.incrementAndGet();
      if (failuresLeft > 0) {
        failuresLeft--;
        throw TeacherCallException.from(
            "Describe", Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());
      }
      return TeacherInfo.of(card(sha, outputSize));
    }

    @Override
    public float[] logProbs(TeacherInfo teacher, float[] images, int count) {
      labelCalls.incrementAndGet();
      batchSizes.add(count);
      float[] out = new float[count * CLASSES];
      for (int i = 0; i < count; i++) {
        float x = images[i * 4];
        out[i * CLASSES] = (float) Math.log(0.5 + x / 4);
        out[i * CLASSES + 1] = (float) Math.log(0.25);
        out[i * CLASSES + 2] = (float) Math.log(0.25 - x / 4);
      }
      return out;
    }
  }

  private static TeacherCard card(String sha, int outputSize) {
    return TeacherCard.newBuilder()
        .setModelId("t")
        .setVersion("1")
        .setArtifactSha256(sha)
        .setTask(Task.TASK_CLASSIFICATION)
        .addAllInputShape(List.of(1L, 2L, 2L))
        .setOutputSize(outputSize)
        .setLimits(TeacherLimits.newBuilder().setMaxBatchSize(2))
        .build();
  }

  private static EvalSet evalSet(int images) {
    float[] pixels = new float[images * 4];
    int[] labels = new int[images];
    for (int i = 0; i < images; i++) {
      pixels[i * 4] = i / (float) images;
      labels[i] = i % CLASSES;
    }
    return EvalSet.of("tiny", new LabeledImages(pixels, labels, 1, 2, 2), CLASSES);
  }

  private TeacherReferences references(ReferenceTeacher teacher) {
    return new TeacherReferences(
        evalSet,
        teacher,
        new ReferenceCache(cacheDir),
        announced::add,
        status,
        10,
        Duration.ofMillis(5),
        Duration.ofMillis(20));
  }

  @Test
  void theReferenceIsFetchedOnceInBatchesOfTheTeachersLimitAndAnnouncedOnce() throws Exception {
    InMemoryTeacher teacher = new InMemoryTeacher();
    TeacherReferences references = references(teacher);

    TeacherReference first = references.forCheckpoint(List.of());
    TeacherReference second = references.forCheckpoint(List.of());

    assertEquals(List.of(2, 2, 1), teacher.batchSizes, "5 images, max_batch_size 2");
    assertEquals(3, teacher.labelCalls.get());
    assertEquals(1, announced.size());
    assertEquals(SHA, first.artifactSha256());
    assertArrayEquals(first.logProbs(), second.logProbs());
    assertEquals(Math.log(0.5), first.logProbs()[0], 1e-6);
    assertEquals(1, status.fromTeacher());
    assertEquals(1, status.fromMemory());
  }

  @Test
  void aRestartedEvaluatorReadsTheDiskCacheAndNeedsNoTeacherAtAll() throws Exception {
    TeacherReference fetched = references(new InMemoryTeacher()).forCheckpoint(List.of());
    InMemoryTeacher down = new InMemoryTeacher();
    down.failuresLeft = Integer.MAX_VALUE;
    announced.clear();

    // A new instance with an empty memory: what a restarted process has.
    TeacherReference reloaded = references(down).forCheckpoint(List.of(card(SHA, CLASSES)));

    assertArrayEquals(fetched.logProbs(), reloaded.logProbs());
    assertEquals(fetched.card(), reloaded.card());
    assertEquals(0, down.describeCalls.get());
    assertEquals(0, down.labelCalls.get());
    assertEquals(0, announced.size(), "the teacher's score was published by the first instance");
    assertEquals(1, status.fromDisk());
  }

  @Test
  void aDamagedCacheFileIsIgnoredAndReplaced() throws Exception {
    references(new InMemoryTeacher()).forCheckpoint(List.of());
    Path file = new ReferenceCache(cacheDir).file(SHA, evalSet);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(file, bytes);
    InMemoryTeacher teacher = new InMemoryTeacher();

    references(teacher).forCheckpoint(List.of(card(SHA, CLASSES)));

    assertEquals(3, teacher.labelCalls.get(), "fetched again");
    TeacherReferences third = references(new InMemoryTeacher());
    assertEquals(SHA, third.forCheckpoint(List.of(card(SHA, CLASSES))).artifactSha256());
    assertEquals(1, status.fromDisk(), "the rewritten file is valid");
  }

  @Test
  void aCacheFileOfOtherImagesIsNotUsed() throws Exception {
    references(new InMemoryTeacher()).forCheckpoint(List.of());
    InMemoryTeacher teacher = new InMemoryTeacher();
    TeacherReferences otherSet =
        new TeacherReferences(
            evalSet(4),
            teacher,
            new ReferenceCache(cacheDir),
            announced::add,
            status,
            10,
            Duration.ofMillis(5),
            Duration.ofMillis(20));

    assertEquals(4 * CLASSES, otherSet.forCheckpoint(List.of()).logProbs().length);
    assertEquals(2, teacher.labelCalls.get());
  }

  @Test
  void anUnreachableTeacherIsWaitedForWithBackoffAndNothingIsLost() throws Exception {
    InMemoryTeacher teacher = new InMemoryTeacher();
    teacher.failuresLeft = 3;

    TeacherReference reference = references(teacher).forCheckpoint(List.of());

    assertEquals(SHA, reference.artifactSha256());
    assertEquals(4, teacher.describeCalls.get());
    assertEquals(3, status.waits());
    assertTrue(status.waitingReason().isEmpty(), "answered: no longer waiting");
    assertEquals(1.0, status.up());
  }

  @Test
  void aTeacherThatDoesNotFitTheEvalSetIsAFailureNamingIt() {
    InMemoryTeacher teacher = new InMemoryTeacher();
    teacher.outputSize = 7;

    EvaluationFailure e =
        assertThrows(EvaluationFailure.class, () -> references(teacher).forCheckpoint(List.of()));

    assertEquals(EvaluationFailure.INCOMPATIBLE_TEACHER, e.reason());
    assertTrue(e.getMessage().contains("7 outputs"), e.getMessage());
    assertEquals(0, teacher.labelCalls.get());
  }
}
