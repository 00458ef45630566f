package io.distillery.evaluator.metrics;

import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.teacher.TeacherStatus;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.EvaluationSubject;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The evaluator's Prometheus metrics, all prefixed {@code distillery_evaluator_}. Tags stay
 * low-cardinality: {@code job}, {@code subject}, {@code status}, {@code reason}, {@code outcome},
 * {@code source}.
 */
// Started eagerly so that counters and teacher gauges are exported (at zero) before any record.
@Startup
@ApplicationScoped
public class EvaluatorMetrics {

  private static final String PREFIX = "distillery_evaluator_";

  private final MeterRegistry registry;
  private final Counter decoded;
  private final Counter undecodable;
  private final Counter duplicates;
  private final Map<String, JobGauges> jobs = new ConcurrentHashMap<>();

  public EvaluatorMetrics(MeterRegistry registry, TeacherStatus teacher, EvalSet evalSet) {
    this.registry = registry;
    this.decoded = consumed("decoded");
    this.undecodable = consumed("undecodable");
    this.duplicates =
        Counter.builder(PREFIX + "duplicates")
            .description("Checkpoint events already scored: their recorded evaluation is re-sent")
            .register(registry);
    Gauge.builder(PREFIX + "teacher_up", teacher, TeacherStatus::up)
        .description("1 when the teacher's last call answered, 0 when it failed, -1 before any")
        .register(registry);
    Gauge.builder(PREFIX + "teacher_waiting", teacher, t -> t.waitingReason().isPresent() ? 1 : 0)
        .description("1 while a checkpoint is held because the teacher cannot be reached")
        .register(registry);
    FunctionCounter.builder(PREFIX + "teacher_waits", teacher, TeacherStatus::waits)
        .description("Backoff waits for an unreachable teacher")
        .register(registry);
    reference(teacher, "memory", TeacherStatus::fromMemory);
    reference(teacher, "disk", TeacherStatus::fromDisk);
    reference(teacher, "teacher", TeacherStatus::fromTeacher);
    Gauge.builder(PREFIX + "eval_set_images", evalSet, EvalSet::size)
        .description("Images in the eval set")
        .register(registry);
    for (String subject : List.of("student", "teacher")) {
      evaluations(subject, "ok");
      evaluations(subject, "failed");
    }
  }

  private Counter evaluations(String subject, String status) {
    return Counter.builder(PREFIX + "evaluations")
        .description("Evaluations produced, by subject and status")
        .tag("subject", subject)
        .tag("status", status)
        .register(registry);
  }

  private Counter consumed(String outcome) {
    return Counter.builder(PREFIX + "checkpoints_consumed")
        .description("Checkpoint events read, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  private void reference(TeacherStatus teacher, String source, ToDoubleFunction<TeacherStatus> f) {
    FunctionCounter.builder(PREFIX + "teacher_references", teacher, f)
        .description("Teacher references obtained, by source (memory, disk, teacher)")
        .tag("source", source)
        .register(registry);
  }

  /** A checkpoint record was read. */
  public void consumed(boolean wasDecoded) {
    (wasDecoded ? decoded : undecodable).increment();
  }

  /** A checkpoint event had been scored before. */
  public void duplicate() {
    duplicates.increment();
  }

  /** A checkpoint could not be scored. */
  public void failure(String reason) {
    Counter.builder(PREFIX + "failures")
        .description("Checkpoints that could not be scored, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A job's promoted checkpoint moved to {@code step}, scored {@code accuracy}. */
  public void promoted(String job, long step, double accuracy) {
    Counter.builder(PREFIX + "promotions")
        .description("Promotions of a job's best checkpoint")
        .tag("job", job)
        .register(registry)
        .increment();
    JobGauges gauges = gauges(job);
    gauges.promotedStep = step;
    gauges.promotedAccuracy = accuracy;
  }

  /** An evaluation was produced; OK ones update the job's gauges. */
  public void evaluated(EvaluationEvent event, Duration took) {
    String subject =
        event.getSubject() == EvaluationSubject.SUBJECT_TEACHER ? "teacher" : "student";
    String status = event.getStatus() == EvaluationStatus.EVALUATION_OK ? "ok" : "failed";
    evaluations(subject, status).increment();
    Timer.builder(PREFIX + "evaluation_duration")
        .description("Time to score one checkpoint, including any wait for the teacher")
        .tag("subject", subject)
        .tag("status", status)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry)
        .record(took);
    if (event.getStatus() == EvaluationStatus.EVALUATION_OK) {
      JobGauges gauges = gauges(event.getJobId());
      // Only language-model evaluations score tokens; accuracy means nothing for them.
      boolean tokens = event.getMetrics().getTokens() > 0;
      gauges.accuracy = tokens ? Double.NaN : event.getMetrics().getAccuracy();
      gauges.bitsPerByte = tokens ? event.getMetrics().getBitsPerByte() : Double.NaN;
      gauges.teacherBitsPerByte = tokens ? event.getMetrics().getTeacherBitsPerByte() : Double.NaN;
      gauges.agreement = event.getMetrics().getAgreement();
      gauges.kl = event.getMetrics().getKlTeacherStudent();
      gauges.nll = event.getMetrics().getNll();
      gauges.step = event.getStep();
    }
  }

  private JobGauges gauges(String job) {
    return jobs.computeIfAbsent(job, this::register);
  }

  private JobGauges register(String job) {
    JobGauges g = new JobGauges();
    gauge(
        "latest_accuracy_ratio",
        "Accuracy of the job's latest scored checkpoint",
        job,
        g,
        x -> x.accuracy);
    gauge(
        "latest_agreement_ratio",
        "Top-1 agreement with the teacher of the latest checkpoint",
        job,
        g,
        x -> x.agreement);
    gauge(
        "latest_kl_teacher_student_nats",
        "Mean KL(teacher||student) at T=1 of the latest checkpoint",
        job,
        g,
        x -> x.kl);
    gauge(
        "latest_nll_nats",
        "Mean negative log-likelihood of the latest checkpoint",
        job,
        g,
        x -> x.nll);
    gauge(
        "latest_bits_per_byte",
        "Held-out bits per UTF-8 byte of the latest language-model checkpoint",
        job,
        g,
        x -> x.bitsPerByte);
    gauge(
        "latest_teacher_bits_per_byte",
        "The LM teacher's bits per byte on the same held-out tokens",
        job,
        g,
        x -> x.teacherBitsPerByte);
    gauge("latest_step", "Step of the job's latest scored checkpoint", job, g, x -> x.step);
    gauge(
        "promoted_step",
        "Step of the job's promoted checkpoint (this process's view)",
        job,
        g,
        x -> x.promotedStep);
    gauge(
        "promoted_accuracy_ratio",
        "Accuracy of the job's promoted checkpoint (this process's view)",
        job,
        g,
        x -> x.promotedAccuracy);
    return g;
  }

  private void gauge(
      String name, String help, String job, JobGauges g, ToDoubleFunction<JobGauges> value) {
    // The map holds every JobGauges strongly: Micrometer keeps only a weak reference.
    Gauge.builder(PREFIX + name, g, value).description(help).tag("job", job).register(registry);
  }

  /** Latest values of one job; NaN until known. */
  private static final class JobGauges {
    volatile double accuracy = Double.NaN;
    volatile double agreement = Double.NaN;
    volatile double kl = Double.NaN;
    volatile double nll = Double.NaN;
    volatile double bitsPerByte = Double.NaN;
    volatile double teacherBitsPerByte = Double.NaN;
    volatile double step = Double.NaN;
    volatile double promotedStep = Double.NaN;
    volatile double promotedAccuracy = Double.NaN;
  }
}
