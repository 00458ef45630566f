package io.distillery.evaluator.evaluation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.promotion.JobState;
import io.distillery.evaluator.promotion.PromotedPointer;
import io.distillery.evaluator.support.EvaluationsTopic;
import io.distillery.evaluator.support.EvaluatorTestResource;
import io.distillery.evaluator.support.Students;
import io.distillery.evaluator.support.TinyTeacherModel;
import io.distillery.evaluator.teacher.TeacherStatus;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator end to end inside one process: real checkpoints (students trained briefly with DJL
 * on real Fashion-MNIST) announced on the real {@code distill.checkpoints} topic, scored against a
 * real tiny teacher served over a real gRPC socket, evaluations read back from the real {@code
 * distill.evaluations} topic.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(EvaluatorTestResource.class)
class EvaluationFlowTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String EVAL_SET = "fashion-mnist/t10k[0:2000]";

  @TempDir static Path checkpoints;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @ConfigProperty(name = "distillery.evaluator.teacher.cache-dir")
  Path cacheDir;

  FakeTeacher teacher;
  @Inject TeacherStatus teacherStatus;
  @Inject MeterRegistry registry;

  @AfterEach
  void teacherBackToNormal() {
    TinyTeacherModel.serve(teacher);
  }

  @Test
  void aRealCheckpointIsScoredWithPlausibleMetricsAndPromoted() throws Exception {
    Students.Trained student = Students.train(checkpoints, "job-real", 150, 150, lineage());

    send(student.event());
    EvaluationEvent evaluation = single("job-real");

    assertEquals(EvaluationStatus.EVALUATION_OK, evaluation.getStatus(), evaluation.toString());
    assertEquals(EvaluationSubject.SUBJECT_STUDENT, evaluation.getSubject());
    assertEquals(150, evaluation.getStep());
    assertEquals(150L * 64, evaluation.getSamplesSeen());
    assertEquals(student.event().getUri(), evaluation.getCheckpointUri());
    assertEquals(student.checkpoint().manifestSha256(), evaluation.getCheckpointSha256());
    assertEquals(EVAL_SET, evaluation.getEvalSetId());
    assertEquals(Students.EVAL_IMAGES, evaluation.getEvalSetSize());
    assertEquals(TinyTeacherModel.realSha256(), evaluation.getTeacher().getArtifactSha256());

    double accuracy = evaluation.getMetrics().getAccuracy();
    assertTrue(accuracy > 0.6, "150 batches beat chance (0.1) by far, got " + accuracy);
    assertEquals(student.errors(), evaluation.getMetrics().getErrors());
    assertEquals((1 - accuracy) * Students.EVAL_IMAGES, evaluation.getMetrics().getErrors(), 1e-6);
    // Agreement and KL recomputed here from the student and the teacher run locally.
    float[] teacherLogProbs = teacherLogProbs();
    assertEquals(
        agreement(student.logProbs(), teacherLogProbs),
        evaluation.getMetrics().getAgreement(),
        1e-12);
    assertTrue(
        evaluation.getMetrics().getAgreement() > 0.5
            && evaluation.getMetrics().getAgreement() <= 1);
    assertEquals(
        meanKl(teacherLogProbs, student.logProbs()),
        evaluation.getMetrics().getKlTeacherStudent(),
        1e-4);
    assertTrue(evaluation.getMetrics().getKlTeacherStudent() > 0);
    assertEquals(meanNll(student.logProbs()), evaluation.getMetrics().getNll(), 1e-4);

    // First scored checkpoint of the job: promoted, and the pointer says so.
    assertTrue(evaluation.getPromoted());
    PromotedPointer pointer =
        new JobState(student.checkpoint().dir().getParent()).promoted().orElseThrow();
    assertEquals(student.checkpoint().manifestSha256(), pointer.manifestSha256());
    assertEquals(150, pointer.step());
    assertEquals("accuracy", pointer.metric());
    assertEquals(accuracy, pointer.value(), 0);

    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "distillery_evaluator_latest_accuracy_ratio{job=\"job-real\"} " + accuracy))
        .body(containsString("distillery_evaluator_latest_step{job=\"job-real\"} 150.0"))
        .body(
            containsString(
                "distillery_evaluator_promoted_accuracy_ratio{job=\"job-real\"} " + accuracy))
        // Registered at start, so a "failed evaluations" panel shows 0 rather than no data.
        .body(
            containsString(
                "distillery_evaluator_evaluations_total{status=\"failed\",subject=\"teacher\"}"))
        .body(containsString("distillery_evaluator_evaluation_duration_seconds_count"));
  }

  @Test
  void theTeacherIsScoredOnceAndItsReferenceIsFetchedOnceAndReused() throws Exception {
    Students.Trained first = Students.train(checkpoints, "job-reuse-1", 1, 40, lineage());
    Students.Trained second = Students.train(checkpoints, "job-reuse-2", 1, 60, List.of());

    send(first.event());
    send(second.event());
    assertEquals(EvaluationStatus.EVALUATION_OK, single("job-reuse-1").getStatus());
    assertEquals(EvaluationStatus.EVALUATION_OK, single("job-reuse-2").getStatus());

    // One fetch in the life of this app: 2,000 images in requests of the teacher's limit.
    int requests =
        (Students.EVAL_IMAGES + TinyTeacherModel.MAX_BATCH_SIZE - 1)
            / TinyTeacherModel.MAX_BATCH_SIZE;
    assertEquals(requests, teacher.labelCalls(TinyTeacherModel.realSha256()));
    assertTrue(Files.isRegularFile(cacheDir.resolve(cacheFileName(TinyTeacherModel.realSha256()))));
    assertTrue(teacherStatus.fromMemory() >= 1, "later checkpoints use the in-memory reference");

    List<EvaluationEvent> teacherEvaluations = teacherEvaluations(TinyTeacherModel.realSha256(), 2);
    assertEquals(1, teacherEvaluations.size(), "the teacher's own score is published once");
    EvaluationEvent own = teacherEvaluations.get(0);
    assertEquals(EvaluationSubject.SUBJECT_TEACHER, own.getSubject());
    assertEquals(EvaluationStatus.EVALUATION_OK, own.getStatus());
    assertEquals(EVAL_SET, own.getEvalSetId());
    float[] reference = teacherLogProbs();
    assertEquals(errors(reference), own.getMetrics().getErrors());
    assertEquals(1.0, own.getMetrics().getAgreement());
    assertEquals(0.0, own.getMetrics().getKlTeacherStudent());
    assertEquals(meanNll(reference), own.getMetrics().getNll(), 1e-4);
  }

  @Test
  void aCorruptCheckpointFailsWithItsReasonAndTheNextGoodOneIsScored() throws Exception {
    String job = "job-corrupt";
    Students.Trained tampered = Students.train(checkpoints, job, 1, 5, lineage());
    Files.write(tampered.checkpoint().file(StudentModels.PARAMS_FILE), new byte[] {1, 2, 3});
    CheckpointEvent missing =
        tampered.event().toBuilder()
            .setStep(2)
            .setUri(checkpoints.resolve(job).resolve("step-2").toUri().toString())
            .build();
    Students.Trained wrongSha = Students.train(checkpoints, job, 3, 5, lineage());
    Students.Trained unknownNetwork =
        Students.trainWithArchitecture(checkpoints, job, 4, lineage(), "resnet-9000");
    Students.Trained good = Students.train(checkpoints, job, 5, 100, lineage());
    double digestFailures = failures("digest-mismatch");

    send(tampered.event());
    send(missing);
    send(wrongSha.event().toBuilder().setManifestSha256("0".repeat(64)).build());
    send(unknownNetwork.event());
    send(good.event());

    List<EvaluationEvent> evaluations = EvaluationsTopic.read(bootstrapServers, job, 5, WAIT);
    assertEquals(5, evaluations.size(), evaluations.toString());
    assertFailed(evaluations.get(0), 1, "digest-mismatch: ", "student.params");
    assertFailed(evaluations.get(1), 2, "missing-checkpoint: ", "step-2");
    assertFailed(evaluations.get(2), 3, "manifest-mismatch: ", "0".repeat(64));
    assertFailed(evaluations.get(3), 4, "unknown-architecture: ", "resnet-9000");
    EvaluationEvent scored = evaluations.get(4);
    assertEquals(EvaluationStatus.EVALUATION_OK, scored.getStatus(), scored.toString());
    assertEquals(5, scored.getStep());
    assertEquals(good.errors(), scored.getMetrics().getErrors());
    assertTrue(scored.getPromoted(), "failed checkpoints never promote; the first good one does");
    assertEquals(digestFailures + 1, failures("digest-mismatch"));
  }

  @Test
  void aDuplicateEventGetsTheSameEvaluationAndDoesNotPromoteTwice() throws Exception {
    String job = "job-promotion";
    Students.Trained weak = Students.train(checkpoints, job, 10, 2, lineage());
    Students.Trained strong = Students.train(checkpoints, job, 20, 150, lineage());
    Students.Trained worse = Students.train(checkpoints, job, 30, 1, lineage());
    Path pointerFile = new JobState(checkpoints.resolve(job)).pointerFile();
    double duplicates = registry.counter("distillery_evaluator_duplicates").count();

    send(weak.event());
    send(strong.event());
    List<EvaluationEvent> firstTwo = EvaluationsTopic.read(bootstrapServers, job, 2, WAIT);
    assertEquals(2, firstTwo.size());
    long pointerWritten = Files.getLastModifiedTime(pointerFile).toMillis();
    send(weak.event());
    send(strong.event());
    send(worse.event());

    List<EvaluationEvent> evaluations = EvaluationsTopic.read(bootstrapServers, job, 5, WAIT);
    assertEquals(5, evaluations.size(), evaluations.toString());
    EvaluationEvent weakScored = evaluations.get(0);
    EvaluationEvent strongScored = evaluations.get(1);
    assertTrue(weakScored.getPromoted(), "a job's first checkpoint is promoted");
    assertTrue(
        strongScored.getMetrics().getAccuracy() >= weakScored.getMetrics().getAccuracy() + 0.001,
        "150 batches beat 2: " + strongScored.getMetrics() + " vs " + weakScored.getMetrics());
    assertTrue(strongScored.getPromoted());
    // Redelivered events get their recorded evaluation back, byte for byte.
    assertEquals(weakScored, evaluations.get(2));
    assertEquals(strongScored, evaluations.get(3));
    EvaluationEvent worseScored = evaluations.get(4);
    assertEquals(30, worseScored.getStep());
    assertFalse(worseScored.getPromoted(), worseScored.getMetrics().toString());

    assertEquals(duplicates + 2, registry.counter("distillery_evaluator_duplicates").count());
    assertEquals(2.0, registry.counter("distillery_evaluator_promotions", "job", job).count());
    assertEquals(pointerWritten, Files.getLastModifiedTime(pointerFile).toMillis());
    PromotedPointer pointer = new JobState(checkpoints.resolve(job)).promoted().orElseThrow();
    assertEquals(20, pointer.step());
    assertEquals(strong.checkpoint().manifestSha256(), pointer.manifestSha256());
  }

  @Test
  void whileTheTeacherIsDownTheCheckpointIsHeldAndScoredOnceItAnswers() throws Exception {
    // A new teacher version whose reference is not cached anywhere yet.
    String newSha = "1".repeat(64);
    teacher.artifactSha256(newSha);
    teacher.failWith(Status.UNAVAILABLE);
    TeacherCard newTeacher = teacher.card();
    Students.Trained student =
        Students.train(checkpoints, "job-outage", 1, 50, List.of(newTeacher));

    send(student.event());
    await().atMost(WAIT).until(() -> teacherStatus.waitingReason().isPresent());
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body(containsString("teacher unreachable"));
    assertTrue(
        EvaluationsTopic.read(bootstrapServers, "job-outage", 1, Duration.ofSeconds(1)).isEmpty(),
        "nothing is published for a held checkpoint");

    teacher.failWith(null);
    EvaluationEvent evaluation = single("job-outage");
    assertEquals(EvaluationStatus.EVALUATION_OK, evaluation.getStatus(), evaluation.toString());
    assertEquals(newSha, evaluation.getTeacher().getArtifactSha256());
    assertEquals(1, teacherEvaluations(newSha, 1).size());
    await().atMost(WAIT).until(() -> teacherStatus.waitingReason().isEmpty());
    given().get("/q/health/ready").then().statusCode(200);
  }

  private void send(CheckpointEvent event) throws Exception {
    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(DistilleryTopics.CHECKPOINTS, event.getJobId(), event.toByteArray());
    }
  }

  private EvaluationEvent single(String job) {
    List<EvaluationEvent> evaluations = EvaluationsTopic.read(bootstrapServers, job, 1, WAIT);
    assertEquals(1, evaluations.size(), "evaluations of " + job);
    return evaluations.get(0);
  }

  private List<EvaluationEvent> teacherEvaluations(String sha256, int atMost) {
    return EvaluationsTopic.read(
            bootstrapServers, "teacher", Integer.MAX_VALUE, Duration.ofSeconds(3))
        .stream()
        .filter(e -> e.getCheckpointSha256().equals(sha256))
        .limit(atMost)
        .toList();
  }

  private List<TeacherCard> lineage() {
    return List.of(teacher.card());
  }

  private double failures(String reason) {
    return registry.counter("distillery_evaluator_failures", "reason", reason).count();
  }

  private String cacheFileName(String sha256) throws Exception {
    try (var files = Files.list(cacheDir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.startsWith(sha256 + "-") && name.endsWith(".ref"))
          .findFirst()
          .orElse("missing reference file for " + sha256);
    }
  }

  private static void assertFailed(
      EvaluationEvent evaluation, long step, String reasonPrefix, String detail) {
    assertEquals(EvaluationStatus.EVALUATION_FAILED, evaluation.getStatus(), evaluation.toString());
    assertEquals(step, evaluation.getStep());
    assertTrue(
        evaluation.getFailureReason().startsWith(reasonPrefix), evaluation.getFailureReason());
    assertTrue(evaluation.getFailureReason().contains(detail), evaluation.getFailureReason());
    assertFalse(evaluation.getPromoted());
    assertFalse(evaluation.hasMetrics());
  }

  private float[] teacherLogProbs() {
    LabeledImages images = Students.evalImages();
    return TinyTeacherModel.logProbs(images.images(), images.size());
  }

  private static int errors(float[] logProbs) {
    int[] predicted = LogSoftmax.argMax(logProbs, FashionMnist.NUM_CLASSES);
    int errors = 0;
    for (int i = 0; i < predicted.length; i++) {
      errors += predicted[i] == Students.evalImages().labels()[i] ? 0 : 1;
    }
    return errors;
  }

  private static double agreement(float[] student, float[] teacher) {
    int[] s = LogSoftmax.argMax(student, FashionMnist.NUM_CLASSES);
    int[] t = LogSoftmax.argMax(teacher, FashionMnist.NUM_CLASSES);
    int same = 0;
    for (int i = 0; i < s.length; i++) {
      same += s[i] == t[i] ? 1 : 0;
    }
    return (double) same / s.length;
  }

  private static double meanKl(float[] teacher, float[] student) {
    double sum = 0;
    for (int i = 0; i < teacher.length; i++) {
      sum += Math.exp(teacher[i]) * (teacher[i] - student[i]);
    }
    return sum / (teacher.length / FashionMnist.NUM_CLASSES);
  }

  private static double meanNll(float[] logProbs) {
    int[] labels = Students.evalImages().labels();
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      sum -= logProbs[i * FashionMnist.NUM_CLASSES + labels[i]];
    }
    return sum / labels.length;
  }
}
