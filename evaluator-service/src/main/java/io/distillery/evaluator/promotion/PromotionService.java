package io.distillery.evaluator.promotion;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.evaluator.scoring.Scores;
import io.distillery.proto.v1.EvaluationEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Decides whether a scored checkpoint becomes its job's promoted one and records the outcome.
 *
 * <p>Order matters for crash safety: the pointer is written before the record. A crash in between
 * leaves a pointer naming a checkpoint without a record; scoring it again finds itself in the
 * pointer and reports it promoted without writing anything. A record, once written, is what a
 * redelivered event gets back, unchanged.
 */
// Started eagerly: a bad setting stops the process at start, not at the first checkpoint.
@Startup
@ApplicationScoped
public class PromotionService {

  /**
   * The settled evaluation.
   *
   * @param event the evaluation with {@code promoted} set
   * @param newlyPromoted whether this call moved the pointer
   */
  public record Settled(EvaluationEvent event, boolean newlyPromoted) {}

  private final PromotionPolicy policy;
  private final Clock clock;

  @Inject
  public PromotionService(EvaluatorConfig config) {
    this(
        new PromotionPolicy(config.promotion().metric(), config.promotion().minImprovement()),
        Clock.systemUTC());
  }

  public PromotionService(PromotionPolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /** The policy in force. */
  public PromotionPolicy policy() {
    return policy;
  }

  /**
   * Promotes a scored checkpoint if it is its job's best and records its evaluation.
   *
   * @param state the job's state
   * @param scored an OK evaluation, {@code promoted} not yet set
   * @param scores its scores
   * @throws EvaluationFailure ({@code state-io}) when the pointer or record cannot be written
   */
  public Settled settle(JobState state, EvaluationEvent scored, Scores scores)
      throws EvaluationFailure {
    return settle(state, scored, policy.ranking(scores));
  }

  /**
   * Records a scored checkpoint that must not be promoted, whatever its score, with the reason in
   * its evaluation's {@code promotion_refusal}.
   *
   * @throws EvaluationFailure ({@code state-io}) when the record cannot be written
   */
  public synchronized Settled refuse(JobState state, EvaluationEvent scored, String reason)
      throws EvaluationFailure {
    EvaluationEvent settled =
        scored.toBuilder().setPromoted(false).setPromotionRefusal(reason).build();
    try {
      state.record(settled);
    } catch (IOException e) {
      throw new EvaluationFailure(
          EvaluationFailure.STATE_IO,
          "cannot update the evaluator state in " + state.jobDir() + ": " + e.getMessage(),
          e);
    }
    return new Settled(settled, false);
  }

  /**
   * Promotes a scored checkpoint if it is its job's best by {@code ranking} and records its
   * evaluation; see {@link #settle(JobState, EvaluationEvent, Scores)}.
   */
  public synchronized Settled settle(JobState state, EvaluationEvent scored, Ranking ranking)
      throws EvaluationFailure {
    try {
      Optional<PromotedPointer> current = state.promoted();
      boolean alreadyPromoted =
          current.isPresent()
              && current.get().manifestSha256().equals(scored.getCheckpointSha256())
              && current.get().evalSetId().equals(scored.getEvalSetId());
      boolean promote =
          !alreadyPromoted && policy.promotes(current, ranking, scored.getEvalSetId());
      if (promote) {
        state.promote(
            new PromotedPointer(
                scored.getJobId(),
                scored.getStep(),
                scored.getCheckpointUri(),
                scored.getCheckpointSha256(),
                ranking.metricId(),
                ranking.value(),
                scored.getEvalSetId(),
                clock.millis()));
      }
      EvaluationEvent settled = scored.toBuilder().setPromoted(alreadyPromoted || promote).build();
      state.record(settled);
      return new Settled(settled, promote);
    } catch (IOException e) {
      throw new EvaluationFailure(
          EvaluationFailure.STATE_IO,
          "cannot update the evaluator state in " + state.jobDir() + ": " + e.getMessage(),
          e);
    }
  }
}
