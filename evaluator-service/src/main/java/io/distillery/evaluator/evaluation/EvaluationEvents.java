package io.distillery.evaluator.evaluation;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.scoring.Scores;
import io.distillery.evaluator.teacher.TeacherReference;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationMetrics;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;

/** Builds the evaluation events the evaluator publishes. */
public final class EvaluationEvents {

  /** Job id of the teacher's own evaluations. */
  static final String TEACHER_JOB = "teacher";

  private EvaluationEvents() {}

  /** A scored checkpoint; {@code promoted} is settled later. */
  static EvaluationEvent scored(
      CheckpointEvent checkpoint,
      TeacherReference teacher,
      Scores scores,
      EvalSet evalSet,
      long nowMs) {
    return base(checkpoint, evalSet, nowMs)
        .setTeacher(teacher.card())
        .setMetrics(metrics(scores))
        .setStatus(EvaluationStatus.EVALUATION_OK)
        .build();
  }

  /**
   * A student's evaluation on other held-out data than the classification eval set (a language
   * model's text), without teacher, metrics and status.
   */
  public static EvaluationEvent.Builder student(
      CheckpointEvent checkpoint, String evalSetId, int evalSetSize, long nowMs) {
    return EvaluationEvent.newBuilder()
        .setJobId(checkpoint.getJobId())
        .setStep(checkpoint.getStep())
        .setCheckpointUri(checkpoint.getUri())
        .setCheckpointSha256(checkpoint.getManifestSha256())
        .setEvalSetId(evalSetId)
        .setEvalSetSize(evalSetSize)
        .setSubject(EvaluationSubject.SUBJECT_STUDENT)
        .setEvaluatedAtMs(nowMs)
        .setSamplesSeen(checkpoint.getSamplesSeen());
  }

  /** A checkpoint that could not be scored. */
  static EvaluationEvent failed(
      CheckpointEvent checkpoint, EvaluationFailure failure, EvalSet evalSet, long nowMs) {
    return base(checkpoint, evalSet, nowMs)
        .setStatus(EvaluationStatus.EVALUATION_FAILED)
        .setFailureReason(failure.reason() + ": " + failure.getMessage())
        .build();
  }

  /**
   * The teacher's own score. Its artifact sha256 stands in the checkpoint_sha256 field, so that
   * (job_id, checkpoint_sha256) identifies every evaluation.
   */
  static EvaluationEvent teacher(
      TeacherReference teacher, Scores scores, EvalSet evalSet, long nowMs) {
    return EvaluationEvent.newBuilder()
        .setJobId(TEACHER_JOB)
        .setCheckpointSha256(teacher.artifactSha256())
        .setTeacher(teacher.card())
        .setMetrics(metrics(scores))
        .setEvalSetId(evalSet.id())
        .setEvalSetSize(evalSet.size())
        .setStatus(EvaluationStatus.EVALUATION_OK)
        .setSubject(EvaluationSubject.SUBJECT_TEACHER)
        .setEvaluatedAtMs(nowMs)
        .build();
  }

  private static EvaluationEvent.Builder base(
      CheckpointEvent checkpoint, EvalSet evalSet, long nowMs) {
    return EvaluationEvent.newBuilder()
        .setJobId(checkpoint.getJobId())
        .setStep(checkpoint.getStep())
        .setCheckpointUri(checkpoint.getUri())
        .setCheckpointSha256(checkpoint.getManifestSha256())
        .setEvalSetId(evalSet.id())
        .setEvalSetSize(evalSet.size())
        .setSubject(EvaluationSubject.SUBJECT_STUDENT)
        .setEvaluatedAtMs(nowMs)
        .setSamplesSeen(checkpoint.getSamplesSeen());
  }

  private static EvaluationMetrics metrics(Scores scores) {
    return EvaluationMetrics.newBuilder()
        .setAccuracy(scores.accuracy())
        .setErrors(scores.errors())
        .setAgreement(scores.agreement())
        .setKlTeacherStudent(scores.klTeacherStudent())
        .setNll(scores.nll())
        .build();
  }
}
