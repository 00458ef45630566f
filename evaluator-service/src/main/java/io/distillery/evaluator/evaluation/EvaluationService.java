package io.distillery.evaluator.evaluation;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.governance.Governance;
import io.distillery.evaluator.governance.LicenceVerdict;
import io.distillery.evaluator.metrics.EvaluatorMetrics;
import io.distillery.evaluator.promotion.JobState;
import io.distillery.evaluator.promotion.PromotionService;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointException;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.kafka.DecodeFailure;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.Task;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Scores checkpoints: verifies the files against the manifest, scores the student with the {@link
 * TaskEvaluation} of its family's task (a classifier on the eval set, a language model on held-out
 * text), settles promotion and publishes one evaluation per checkpoint event. A checkpoint that
 * cannot be scored yields a FAILED evaluation and the service moves on; a checkpoint scored before
 * gets its recorded evaluation back, unchanged, without promoting anything again.
 *
 * <p>Checkpoints are handled one at a time, in order (the channel is ordered and blocking).
 */
@ApplicationScoped
public class EvaluationService {

  private static final Logger LOG = Logger.getLogger(EvaluationService.class);

  /** Job id of evaluations of records without a key that could not be decoded. */
  static final String UNKNOWN_JOB = "unknown";

  private final EvalSet evalSet;
  private final Map<Task, TaskEvaluation> evaluations = new EnumMap<>(Task.class);
  private final PromotionService promotions;
  private final Governance governance;
  private final EvaluationSink sink;
  private final EvaluatorMetrics metrics;
  private final Clock clock = Clock.systemUTC();

  public EvaluationService(
      EvalSet evalSet,
      @All List<TaskEvaluation> evaluations,
      PromotionService promotions,
      Governance governance,
      EvaluationSink sink,
      EvaluatorMetrics metrics) {
    this.evalSet = evalSet;
    for (TaskEvaluation evaluation : evaluations) {
      this.evaluations.put(evaluation.task(), evaluation);
    }
    this.promotions = promotions;
    this.governance = governance;
    this.sink = sink;
    this.metrics = metrics;
  }

  /**
   * Handles one record of the checkpoint topic and publishes its evaluation.
   *
   * @param key the record key (the job id)
   * @param value the decoded record value
   * @return the published evaluation
   * @throws InterruptedException when the evaluator shuts down while waiting for the teacher; the
   *     record must then stay unacknowledged
   * @throws PublishFailedException when the evaluation cannot be published
   */
  public EvaluationEvent handle(String key, Decoded<CheckpointEvent> value)
      throws InterruptedException {
    metrics.consumed(value instanceof Decoded.Ok);
    if (value instanceof Decoded.Ok<CheckpointEvent> ok) {
      return evaluate(ok.value());
    }
    return undecodable(key, ((Decoded.Failed<CheckpointEvent>) value).failure());
  }

  /** Scores one checkpoint event and publishes its evaluation; see {@link #handle}. */
  public EvaluationEvent evaluate(CheckpointEvent checkpoint) throws InterruptedException {
    long start = System.nanoTime();
    Optional<JobState> state = JobState.of(checkpoint);
    Optional<EvaluationEvent> recorded = recorded(state, checkpoint);
    if (recorded.isPresent()) {
      metrics.duplicate();
      sink.publish(recorded.get());
      LOG.infof(
          "job %s step %d was scored before; re-sent its recorded evaluation",
          checkpoint.getJobId(), checkpoint.getStep());
      return recorded.get();
    }
    EvaluationEvent result;
    try {
      result = scoreOrFail(checkpoint, state);
      LOG.infof(
          "job %s step %d: accuracy %.4f, agreement %.4f, KL %.4f, NLL %.4f%s",
          result.getJobId(),
          result.getStep(),
          result.getMetrics().getAccuracy(),
          result.getMetrics().getAgreement(),
          result.getMetrics().getKlTeacherStudent(),
          result.getMetrics().getNll(),
          result.getPromoted() ? " (promoted)" : "");
    } catch (EvaluationFailure failure) {
      result = EvaluationEvents.failed(checkpoint, failure, evalSet, clock.millis());
      metrics.failure(failure.reason());
      LOG.warnf(
          "job %s step %d cannot be scored (%s): %s",
          checkpoint.getJobId(), checkpoint.getStep(), failure.reason(), failure.getMessage());
    }
    sink.publish(result);
    metrics.evaluated(result, Duration.ofNanos(System.nanoTime() - start));
    return result;
  }

  private EvaluationEvent undecodable(String key, DecodeFailure failure) {
    String job = key == null || key.isBlank() ? UNKNOWN_JOB : key;
    EvaluationFailure problem =
        new EvaluationFailure(
            EvaluationFailure.UNDECODABLE,
            "the record is not a CheckpointEvent ("
                + failure.reason().tag()
                + "): "
                + failure.message());
    EvaluationEvent result =
        EvaluationEvents.failed(
            CheckpointEvent.newBuilder().setJobId(job).build(), problem, evalSet, clock.millis());
    metrics.failure(problem.reason());
    LOG.warnf("undecodable checkpoint record with key %s: %s", key, problem.getMessage());
    sink.publish(result);
    metrics.evaluated(result, Duration.ZERO);
    return result;
  }

  private Optional<EvaluationEvent> recorded(Optional<JobState> state, CheckpointEvent event) {
    if (state.isEmpty() || event.getManifestSha256().isEmpty()) {
      return Optional.empty();
    }
    try {
      return state
          .get()
          .recorded(event.getManifestSha256())
          .filter(
              r ->
                  evaluations.values().stream()
                          .anyMatch(e -> e.evalSetId().equals(r.getEvalSetId()))
                      && r.getJobId().equals(event.getJobId()));
    } catch (IOException e) {
      LOG.warnf("cannot read the evaluation record of %s: %s", event.getUri(), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Scores a checkpoint. An unexpected exception becomes a failure too, so one poisonous checkpoint
   * cannot stop the channel and come back after every restart; only a failed Kafka write (the
   * teacher's evaluation) stops it, to be retried.
   */
  private EvaluationEvent scoreOrFail(CheckpointEvent event, Optional<JobState> state)
      throws EvaluationFailure, InterruptedException {
    try {
      return score(event, state);
    } catch (PublishFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.errorf(e, "unexpected failure scoring job %s step %d", event.getJobId(), event.getStep());
      throw new EvaluationFailure(
          EvaluationFailure.INTERNAL_ERROR, e.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  private EvaluationEvent score(CheckpointEvent event, Optional<JobState> state)
      throws EvaluationFailure, InterruptedException {
    requireFields(event);
    Checkpoint checkpoint;
    try {
      checkpoint = CheckpointStore.open(event);
    } catch (CheckpointException e) {
      throw new EvaluationFailure(e.reason(), e.getMessage(), e);
    }
    checkManifest(checkpoint, event);
    TaskEvaluation.Scored scored = evaluation(checkpoint).score(event, checkpoint, clock.millis());
    LicenceVerdict licence = governance.licence(checkpoint);
    PromotionService.Settled settled =
        licence.refusal().isPresent()
            ? promotions.refuse(state.orElseThrow(), scored.event(), licence.refusal().get())
            : promotions.settle(state.orElseThrow(), scored.event(), scored.ranking());
    if (settled.newlyPromoted()) {
      metrics.promoted(
          event.getJobId(), event.getStep(), scored.event().getMetrics().getAccuracy());
    }
    governance.settled(checkpoint, settled.event(), settled.newlyPromoted(), licence);
    return settled.event();
  }

  /** The evaluation of the task the checkpoint's student family learns. */
  private TaskEvaluation evaluation(Checkpoint checkpoint) throws EvaluationFailure {
    Task task;
    try {
      task = StudentModels.task(checkpoint.manifest().getStudent()).kind();
    } catch (IllegalArgumentException e) {
      throw new EvaluationFailure(EvaluationFailure.UNKNOWN_ARCHITECTURE, e.getMessage(), e);
    }
    TaskEvaluation evaluation = evaluations.get(task);
    if (evaluation == null) {
      throw new EvaluationFailure(
          EvaluationFailure.INCOMPATIBLE_STUDENT,
          "the evaluator cannot score "
              + task
              + " students (it scores "
              + evaluations.keySet()
              + ")");
    }
    return evaluation;
  }

  private static void requireFields(CheckpointEvent event) throws EvaluationFailure {
    String missing =
        event.getJobId().isBlank()
            ? "job_id"
            : event.getUri().isBlank()
                ? "uri"
                : event.getManifestSha256().isBlank() ? "manifest_sha256" : null;
    if (missing != null) {
      throw new EvaluationFailure(
          EvaluationFailure.INVALID_EVENT,
          "checkpoint event (job '"
              + event.getJobId()
              + "', step "
              + event.getStep()
              + ") has no "
              + missing);
    }
  }

  private static void checkManifest(Checkpoint checkpoint, CheckpointEvent event)
      throws EvaluationFailure {
    CheckpointEvent manifest = checkpoint.manifest();
    if (!manifest.getJobId().equals(event.getJobId()) || manifest.getStep() != event.getStep()) {
      throw new EvaluationFailure(
          EvaluationFailure.MANIFEST_MISMATCH,
          "the manifest in "
              + checkpoint.dir()
              + " is job '"
              + manifest.getJobId()
              + "' step "
              + manifest.getStep()
              + " but the event announced job '"
              + event.getJobId()
              + "' step "
              + event.getStep());
    }
  }
}
