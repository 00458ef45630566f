package io.distillery.labeler.labeling;

import com.google.protobuf.ByteString;
import io.distillery.labeler.config.LabelerConfig;
import io.distillery.labeler.deadletter.DeadLetter;
import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.labeler.deadletter.DeadLetterSink;
import io.distillery.labeler.gate.LabelingPlan;
import io.distillery.labeler.gate.TeacherGate;
import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.labeler.prompt.IncomingPrompt;
import io.distillery.labeler.prompt.InvalidPromptException;
import io.distillery.labeler.prompt.PromptValidator;
import io.distillery.labeler.prompt.ValidPrompt;
import io.distillery.labeler.teacher.TeacherLabeler;
import io.distillery.labeler.text.TeacherTokenizer;
import io.distillery.labeler.text.TextTokenization;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.teacherclient.LabelAnswer;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Turns poll batches of prompt records into soft labels and dead letters. Pure of Kafka: the
 * channel adapter hands it {@link IncomingPrompt}s and acknowledges the batch when {@link
 * Submission#completed()} completes.
 *
 * <p>Each batch is validated record by record; rejects become one dead-letter unit, valid prompts
 * are cut into teacher requests of at most {@link LabelingPlan#batchSize()}. Every unit waits for
 * an in-flight permit ({@code distillery.labeler.batch.max-in-flight}), so several teacher requests
 * run at once while the amount of unacknowledged work stays bounded. When the teacher is down a
 * unit keeps its permit and its prompts and asks again with backoff; once every permit is held the
 * channel gets no more demand and the Kafka consumer pauses. Nothing is dropped and nothing is
 * dead-lettered for an outage.
 */
// Started eagerly so its in-flight gauge is exported before the first record arrives.
@Startup
@ApplicationScoped
public class LabelingService {

  private static final Logger LOG = Logger.getLogger(LabelingService.class);

  private final TeacherGate gate;
  private final TeacherLabeler teacher;
  private final LabelSink labels;
  private final DeadLetterSink deadLetters;
  private final LabelerMetrics metrics;
  private final LabelingOptions options;
  private final Clock clock;
  private final PromptValidator validator;
  private final SoftLabelFactory factory;
  private final SoftLabelEncoder encoder = new SoftLabelEncoder();
  private final InFlightLimiter limiter;
  private final Retrying<LabelAnswer> outage;
  private volatile boolean stopping;

  @Inject
  public LabelingService(
      TeacherGate gate,
      TeacherLabeler teacher,
      LabelSink labels,
      DeadLetterSink deadLetters,
      LabelerMetrics metrics,
      LabelerConfig config,
      TeacherTokenizer tokenizer) {
    this(
        gate,
        teacher,
        labels,
        deadLetters,
        metrics,
        LabelingOptions.from(config),
        Clock.systemUTC(),
        tokenizer.tokenization().orElse(null));
  }

  /** A service without a tokenizer: text prompts are dead-lettered ({@code no-tokenizer}). */
  public LabelingService(
      TeacherGate gate,
      TeacherLabeler teacher,
      LabelSink labels,
      DeadLetterSink deadLetters,
      LabelerMetrics metrics,
      LabelingOptions options,
      Clock clock) {
    this(gate, teacher, labels, deadLetters, metrics, options, clock, null);
  }

  public LabelingService(
      TeacherGate gate,
      TeacherLabeler teacher,
      LabelSink labels,
      DeadLetterSink deadLetters,
      LabelerMetrics metrics,
      LabelingOptions options,
      Clock clock,
      TextTokenization tokenization) {
    this.gate = gate;
    this.teacher = teacher;
    this.labels = labels;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.options = options;
    this.clock = clock;
    this.validator =
        new PromptValidator(options.maxPromptBytes(), options.maxTextBytes(), tokenization);
    this.factory = new SoftLabelFactory(options.defaultDataset(), options.softLabelFormat());
    this.limiter = new InFlightLimiter(options.maxInFlight());
    this.outage =
        Retrying.with(
            "labeler-teacher-outage",
            RetryPolicy.untilGivenUp(options.outageInitialBackoff(), options.outageMaxBackoff()),
            held -> metrics.teacherBackoff());
    metrics.registerWorkInFlight(limiter::inUse);
  }

  @PreDestroy
  void stop() {
    stopping = true;
  }

  /** Takes on one poll batch. Waits for the start-up gate if it is not open yet. */
  public Submission submit(List<IncomingPrompt> prompts) {
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    CompletableFuture<Void> completed = new CompletableFuture<>();
    gate.whenOpen()
        .thenAccept(
            plan -> {
              Submission submission = dispatch(prompts, plan);
              forward(submission.accepted(), accepted);
              forward(submission.completed(), completed);
            })
        .exceptionally(
            bug -> {
              // Fail loudly: the channel then fails and nothing of this batch is committed.
              LOG.error("could not take on a poll batch", bug);
              accepted.completeExceptionally(bug);
              completed.completeExceptionally(bug);
              return null;
            });
    return new Submission(accepted, completed);
  }

  private Submission dispatch(List<IncomingPrompt> prompts, LabelingPlan plan) {
    metrics.pollBatch(prompts.size());
    metrics.promptsInFlight(prompts.size());
    List<DeadLetter> rejected = new ArrayList<>();
    List<ValidPrompt> valid = new ArrayList<>(prompts.size());
    for (IncomingPrompt prompt : prompts) {
      metrics.consumed(prompt.decoded());
      try {
        valid.addAll(validator.validateAll(prompt, plan));
      } catch (InvalidPromptException e) {
        rejected.add(
            new DeadLetter(
                prompt.key(),
                prompt.decoded().raw(),
                e.reason(),
                e.getMessage(),
                e.exceptionClass(),
                prompt.source(),
                prompt.headers()));
      }
    }
    List<Supplier<Uni<Void>>> units = new ArrayList<>();
    if (!rejected.isEmpty()) {
      units.add(() -> deadLetterAll(rejected));
    }
    for (int from = 0; from < valid.size(); from += plan.batchSize()) {
      List<ValidPrompt> chunk =
          valid.subList(from, Math.min(valid.size(), from + plan.batchSize()));
      units.add(() -> label(chunk, plan));
    }
    Submission submission = run(units);
    submission
        .completed()
        .whenComplete((ignored, failure) -> metrics.promptsInFlight(-prompts.size()));
    return submission;
  }

  /** Starts every unit as soon as it holds a permit; the permit is returned when it finishes. */
  private Submission run(List<Supplier<Uni<Void>>> units) {
    CompletionStage<Void> acquired = CompletableFuture.completedFuture(null);
    CompletableFuture<?>[] finished = new CompletableFuture<?>[units.size()];
    for (int i = 0; i < units.size(); i++) {
      Supplier<Uni<Void>> unit = units.get(i);
      CompletableFuture<Void> done = new CompletableFuture<>();
      finished[i] = done;
      acquired =
          acquired.thenCompose(ignored -> limiter.acquire()).thenRun(() -> start(unit, done));
    }
    return new Submission(acquired, CompletableFuture.allOf(finished));
  }

  private void start(Supplier<Uni<Void>> unit, CompletableFuture<Void> done) {
    Uni.createFrom()
        .deferred(unit::get)
        .subscribe()
        .with(
            ignored -> {
              limiter.release();
              done.complete(null);
            },
            failure -> {
              limiter.release();
              LOG.error(
                  "writing labels or dead letters failed; the batch is not committed", failure);
              done.completeExceptionally(failure);
            });
  }

  /** Labels one chunk; a chunk the teacher rejects is split so only the bad prompts are dropped. */
  private Uni<Void> label(List<ValidPrompt> chunk, LabelingPlan plan) {
    List<ModelInput> inputs = chunk.stream().map(prompt -> prompt.event().getInput()).toList();
    List<ByteString> encoded = chunk.stream().map(ValidPrompt::encodedInput).toList();
    return askTeacher(inputs, encoded, plan)
        .onItem()
        .transformToUni(result -> publish(chunk, encoded, result, plan))
        .onFailure(TeacherRejectedException.class)
        .recoverWithUni(
            rejection ->
                chunk.size() == 1
                    ? deadLetter(
                        letter(
                            chunk.get(0),
                            DeadLetterReason.TEACHER_REJECTED,
                            rejection.getMessage(),
                            rejection.getCause() == null ? rejection : rejection.getCause()))
                    : oneByOne(chunk, plan));
  }

  private Uni<Void> oneByOne(List<ValidPrompt> chunk, LabelingPlan plan) {
    LOG.debugf("teacher rejected a batch of %d prompts; asking for each alone", chunk.size());
    return Multi.createFrom()
        .iterable(chunk)
        .onItem()
        .transformToUniAndConcatenate(prompt -> label(List.of(prompt), plan))
        .collect()
        .last()
        .replaceWithVoid();
  }

  /**
   * Asks the teacher until it answers or rejects the input; outages (after the client's quick
   * retries, or with its circuit open) are waited out with {@code teacher.outage-backoff}, the
   * prompts held, until the service stops.
   */
  private Uni<LabelAnswer> askTeacher(
      List<ModelInput> inputs, List<ByteString> encoded, LabelingPlan plan) {
    return Uni.createFrom()
        .completionStage(
            () ->
                outage.run(
                    "Label",
                    () ->
                        teacher
                            .label(
                                inputs, encoded, plan.topK(), plan.temperature(), plan.generation())
                            .invoke(result -> checkArtifact(result, plan))
                            .subscribeAsCompletionStage(),
                    () -> stopping));
  }

  /** Labels must carry the card of the model that produced them. */
  private void checkArtifact(LabelAnswer result, LabelingPlan plan) {
    String expected = plan.teacher().artifactSha256();
    String actual = result.artifactSha256();
    if (!expected.isEmpty() && !actual.isEmpty() && !expected.equals(actual)) {
      String reason =
          "the teacher now serves artifact sha256 "
              + actual
              + " but described "
              + expected
              + " at start-up; restart the labeler so the gate describes it again";
      gate.close(reason);
      throw new TeacherUnavailableException("Label", "artifact-changed", null, reason, null);
    }
  }

  /**
   * @param encoded each prompt's input as sent to the teacher; the soft label carries the same
   *     bytes
   */
  private Uni<Void> publish(
      List<ValidPrompt> chunk, List<ByteString> encoded, LabelAnswer result, LabelingPlan plan) {
    long labelledAt = clock.millis();
    List<EncodedSoftLabel> events = new ArrayList<>(chunk.size());
    List<Uni<Void>> writes = new ArrayList<>(1);
    for (int i = 0; i < chunk.size(); i++) {
      ValidPrompt prompt = chunk.get(i);
      try {
        SoftLabelEvent event = factory.build(prompt, result.samples().get(i), plan, labelledAt);
        events.add(
            new EncodedSoftLabel(event.getPromptId(), encoder.encode(event, encoded.get(i))));
      } catch (IllegalArgumentException e) {
        writes.add(
            deadLetter(letter(prompt, DeadLetterReason.INVALID_TEACHER_OUTPUT, e.getMessage(), e)));
      }
    }
    // The chunk's labels go to the producer together: one hand-off, one acknowledgement.
    Uni<Void> labelled =
        labels.sendEncoded(events).invoke(() -> metrics.labelsProduced(events.size()));
    if (writes.isEmpty()) {
      return labelled;
    }
    writes.add(labelled);
    return Uni.join().all(writes).andCollectFailures().replaceWithVoid();
  }

  private Uni<Void> deadLetterAll(List<DeadLetter> letters) {
    List<Uni<Void>> writes = letters.stream().map(this::deadLetter).toList();
    return Uni.join().all(writes).andCollectFailures().replaceWithVoid();
  }

  private Uni<Void> deadLetter(DeadLetter letter) {
    LOG.warnf(
        "dead-lettering record %s-%d@%d (key %s): %s: %s",
        letter.source().getTopic(),
        letter.source().getPartition(),
        letter.source().getOffset(),
        letter.key(),
        letter.reason().tag(),
        letter.message());
    return deadLetters.send(letter).invoke(() -> metrics.deadLettered(letter.reason()));
  }

  private static DeadLetter letter(
      ValidPrompt prompt, DeadLetterReason reason, String message, Throwable cause) {
    IncomingPrompt origin = prompt.origin();
    return new DeadLetter(
        origin.key(),
        origin.decoded().raw(),
        reason,
        message,
        cause.getClass().getName(),
        origin.source(),
        origin.headers());
  }

  private static void forward(CompletionStage<Void> from, CompletableFuture<Void> to) {
    from.whenComplete(
        (ignored, failure) -> {
          if (failure == null) {
            to.complete(null);
          } else {
            to.completeExceptionally(failure);
          }
        });
  }
}
