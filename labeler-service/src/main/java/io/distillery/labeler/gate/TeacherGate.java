package io.distillery.labeler.gate;

import io.distillery.labeler.config.LabelerConfig;
import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.labeler.teacher.TeacherDescriber;
import io.distillery.labeler.text.TeacherTokenizer;
import io.distillery.labeler.text.TextTokenization;
import io.distillery.teacherclient.TeacherDescription;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * The compatibility and licence gate. At start-up it describes the teacher (again and again, with
 * backoff, while the teacher is unreachable: a {@link Retrying} guard of {@code
 * teacher.describe-backoff}), lets the {@link GatePolicy} decide, and only then resumes the prompt
 * channel, which starts paused. Its {@link #state()} is the labeler's readiness.
 */
@ApplicationScoped
public class TeacherGate {

  private static final Logger LOG = Logger.getLogger(TeacherGate.class);

  private final TeacherDescriber teacher;
  private final GatePolicy policy;
  private final Retrying<TeacherDescription> untilDescribed;
  private final ConsumptionControl consumption;
  private final LabelerMetrics metrics;
  private final CompletableFuture<LabelingPlan> opened = new CompletableFuture<>();
  private volatile GateState state = GateState.connecting("teacher not described yet");
  private volatile boolean stopped;
  private GateAudit audit = GateAudit.NONE;

  @Inject
  public TeacherGate(
      TeacherDescriber teacher,
      LabelerConfig config,
      TeacherTokenizer tokenizer,
      ConsumptionControl consumption,
      LabelerMetrics metrics,
      GateAudit audit) {
    this(
        teacher,
        GatePolicy.from(
            config, tokenizer.tokenization().map(TextTokenization::sha256).orElse(null)),
        config.teacher().describeBackoff().initial(),
        config.teacher().describeBackoff().max(),
        consumption,
        metrics);
    this.audit = audit;
  }

  public TeacherGate(
      TeacherDescriber teacher,
      GatePolicy policy,
      Duration initialBackoff,
      Duration maxBackoff,
      ConsumptionControl consumption,
      LabelerMetrics metrics) {
    this.teacher = teacher;
    this.policy = policy;
    this.untilDescribed =
        Retrying.with(
            "teacher-gate-describe",
            RetryPolicy.untilGivenUp(initialBackoff, maxBackoff),
            this::unreachable);
    this.consumption = consumption;
    this.metrics = metrics;
  }

  void onStart(@Observes StartupEvent event) {
    start();
  }

  /** Starts describing the teacher; returns at once. */
  public void start() {
    untilDescribed
        .run("Describe", () -> teacher.describe().subscribeAsCompletionStage(), () -> stopped)
        .whenComplete(
            (profile, failure) -> {
              if (failure == null) {
                decide(profile);
              } else if (!stopped) {
                // Rejected or denied: asking again cannot help; readiness says why.
                state = GateState.blocked("teacher refused Describe: " + failure.getMessage());
                LOG.errorf("not consuming prompts: %s", state.reason());
              }
            });
  }

  @PreDestroy
  void stop() {
    stopped = true;
  }

  /** The current state; open means consuming. */
  public GateState state() {
    return state;
  }

  /** Completes with the labeling plan once the gate opens. */
  public CompletionStage<LabelingPlan> whenOpen() {
    return opened;
  }

  /**
   * Closes the gate after it was open, e.g. because the teacher changed under the labeler: stops
   * consuming and reports {@code reason} until a restart runs the gate again.
   */
  public void close(String reason) {
    if (state.phase() == GateState.Phase.BLOCKED) {
      return;
    }
    state = GateState.blocked(reason);
    metrics.gateOpen(false);
    LOG.errorf("not consuming prompts any more: %s", reason);
    consumption.pause();
  }

  private void unreachable(Throwable failure) {
    String reason = "teacher unreachable: " + failure.getMessage();
    if (!reason.equals(state.reason())) {
      LOG.warnf("%s; retrying Describe with backoff and not consuming meanwhile", reason);
    }
    state = GateState.connecting(reason);
  }

  private void decide(TeacherDescription profile) {
    GateDecision decision = policy.evaluate(profile);
    audit.decided(profile, decision);
    if (decision instanceof GateDecision.Blocked blocked) {
      state = GateState.blocked(blocked.reason());
      LOG.errorf("not consuming prompts: %s", blocked.reason());
      return;
    }
    LabelingPlan plan = ((GateDecision.Open) decision).plan();
    if (plan.forbiddenTeacherOverride()) {
      LOG.warnf(
          "teacher %s does not permit distillation (%s); labelling anyway because"
              + " distillery.labeler.policy.allow-forbidden-teacher=true, and every label records"
              + " the override",
          profile.describe(), profile.distillation());
    }
    LOG.infof(
        "labelling with teacher %s: top-k %d, temperature %s, up to %d prompts per request",
        profile.describe(), plan.topK(), plan.temperature(), plan.batchSize());
    state = GateState.open(plan);
    metrics.gateOpen(true);
    opened.complete(plan);
    consumption.resume();
  }
}
