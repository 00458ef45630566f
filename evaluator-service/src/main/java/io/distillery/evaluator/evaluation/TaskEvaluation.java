package io.distillery.evaluator.evaluation;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.promotion.Ranking;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.Task;

/**
 * How checkpoints of one task are scored: a classifier on its eval set, a language model on
 * held-out text. {@link EvaluationService} picks one by the task of the checkpoint's student family
 * and does the rest (verification, promotion, publishing) the same way for all.
 */
public interface TaskEvaluation {

  /**
   * A scored checkpoint.
   *
   * @param event the OK evaluation, {@code promoted} not yet set
   * @param ranking what ranks it among its job's checkpoints
   */
  record Scored(EvaluationEvent event, Ranking ranking) {}

  /** The task whose checkpoints this scores. */
  Task task();

  /** Id of the held-out data this scores on, as evaluations record it. */
  String evalSetId();

  /**
   * Scores a verified checkpoint.
   *
   * @param event the checkpoint event
   * @param checkpoint its files, verified against the manifest
   * @param nowMs the evaluation time
   * @throws EvaluationFailure when the checkpoint cannot be scored, with the reason
   * @throws InterruptedException when the evaluator shuts down while waiting for a teacher
   */
  Scored score(CheckpointEvent event, Checkpoint checkpoint, long nowMs)
      throws EvaluationFailure, InterruptedException;
}
