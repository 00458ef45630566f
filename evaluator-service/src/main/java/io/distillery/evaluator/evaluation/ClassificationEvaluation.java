package io.distillery.evaluator.evaluation;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.promotion.PromotionService;
import io.distillery.evaluator.scoring.Scores;
import io.distillery.evaluator.scoring.StudentRunner;
import io.distillery.evaluator.teacher.TeacherReference;
import io.distillery.evaluator.teacher.TeacherReferences;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.Task;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Classifiers: the student's log-probabilities on the eval set against the ground truth and the
 * teacher's reference (from the teacher service), ranked by the configured promotion metric.
 */
@ApplicationScoped
public class ClassificationEvaluation implements TaskEvaluation {

  private final EvalSet evalSet;
  private final StudentRunner students;
  private final TeacherReferences references;
  private final PromotionService promotions;

  public ClassificationEvaluation(
      EvalSet evalSet,
      StudentRunner students,
      TeacherReferences references,
      PromotionService promotions) {
    this.evalSet = evalSet;
    this.students = students;
    this.references = references;
    this.promotions = promotions;
  }

  @Override
  public Task task() {
    return Task.TASK_CLASSIFICATION;
  }

  @Override
  public String evalSetId() {
    return evalSet.id();
  }

  @Override
  public Scored score(CheckpointEvent event, Checkpoint checkpoint, long nowMs)
      throws EvaluationFailure, InterruptedException {
    // The student first: a broken checkpoint fails at once, even while the teacher is down.
    float[] student = students.logProbs(checkpoint);
    TeacherReference teacher = references.forCheckpoint(checkpoint.manifest().getTeachersList());
    Scores scores =
        Scores.compute(student, teacher.logProbs(), evalSet.data().labels(), evalSet.classes());
    EvaluationEvent scored = EvaluationEvents.scored(event, teacher, scores, evalSet, nowMs);
    return new Scored(scored, promotions.policy().ranking(scores));
  }
}
