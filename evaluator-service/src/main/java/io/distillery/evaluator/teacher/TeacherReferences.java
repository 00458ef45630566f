package io.distillery.evaluator.teacher;

import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.outcome.CallAbandonedException;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The teacher's outputs on the eval set, fetched over gRPC once per teacher artifact sha256 and
 * kept in memory and on disk.
 *
 * <p>Which teacher: a cached reference of a teacher the checkpoint learned from (its lineage) is
 * used without any call; otherwise the teacher served now (Describe), whose reference is fetched
 * unless cached. When the teacher cannot be reached and no cached reference fits, the call blocks
 * and tries again with backoff (a {@link Retrying} guard, {@code teacher.outage-backoff}) for as
 * long as it takes: the checkpoint is held, never scored without its teacher metrics and never
 * dropped.
 */
// Started eagerly: a bad setting stops the process at start, not at the first checkpoint.
@Startup
@ApplicationScoped
public class TeacherReferences {

  private static final Logger LOG = Logger.getLogger(TeacherReferences.class);

  private final EvalSet evalSet;
  private final ReferenceTeacher teacher;
  private final ReferenceCache cache;
  private final ReferenceListener listener;
  private final TeacherStatus status;
  private final int requestBatchSize;
  private final Retrying<TeacherReference> outage;
  private final CompletableFuture<Void> stopping = new CompletableFuture<>();
  // Describes and fetches off the caller's thread, so the caller can stop waiting at shutdown.
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "teacher-reference");
            t.setDaemon(true);
            return t;
          });

  @Inject
  TeacherReferences(
      EvalSet evalSet,
      ReferenceTeacher teacher,
      ReferenceListener listener,
      TeacherStatus status,
      EvaluatorConfig config) {
    this(
        evalSet,
        teacher,
        new ReferenceCache(config.teacher().cacheDir()),
        listener,
        status,
        config.teacher().requestBatchSize(),
        config.teacher().outageBackoff().initial(),
        config.teacher().outageBackoff().max());
    LOG.infof("teacher references are cached in %s", config.teacher().cacheDir());
  }

  public TeacherReferences(
      EvalSet evalSet,
      ReferenceTeacher teacher,
      ReferenceCache cache,
      ReferenceListener listener,
      TeacherStatus status,
      int requestBatchSize,
      Duration initialBackoff,
      Duration maxBackoff) {
    if (requestBatchSize < 1) {
      throw new IllegalArgumentException(
          "distillery.evaluator.teacher.request-batch-size must be >= 1, got " + requestBatchSize);
    }
    if (initialBackoff.isNegative()
        || initialBackoff.isZero()
        || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "distillery.evaluator.teacher.outage-backoff needs 0 < initial <= max, got initial="
              + initialBackoff
              + " max="
              + maxBackoff);
    }
    this.evalSet = evalSet;
    this.teacher = teacher;
    this.cache = cache;
    this.listener = listener;
    this.status = status;
    this.requestBatchSize = requestBatchSize;
    this.outage =
        Retrying.with(
            "teacher-reference-outage",
            RetryPolicy.untilGivenUp(initialBackoff, maxBackoff),
            this::held);
  }

  /**
   * The reference to score a checkpoint against.
   *
   * @param lineage the teacher cards of the labels the student learned from
   * @throws EvaluationFailure when the teacher does not fit the eval set or refuses the request
   * @throws InterruptedException when the evaluator shuts down while waiting for the teacher
   */
  public TeacherReference forCheckpoint(List<TeacherCard> lineage)
      throws EvaluationFailure, InterruptedException {
    // Newest lineage entry first; a cached reference of the student's own teacher needs no call.
    for (int i = lineage.size() - 1; i >= 0; i--) {
      Optional<TeacherReference> cached = cached(lineage.get(i).getArtifactSha256());
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    try {
      TeacherReference reference =
          Retrying.await(
              outage.run(
                  "reference",
                  () -> Retrying.onThread(worker, this::fromServedTeacher),
                  stopping::isDone),
              stopping);
      status.answered();
      return reference;
    } catch (CallAbandonedException | InterruptedException e) {
      status.stoppedWaiting();
      throw new InterruptedException("shutting down while waiting for the teacher");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof EvaluationFailure failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** The teacher could not answer: the checkpoint is held and asked for again after a backoff. */
  private void held(Throwable outage) {
    String reason = outage.getMessage();
    if (status.waitingReason().isEmpty()) {
      LOG.warnf(
          "%s; holding the checkpoint and trying again with backoff until the teacher answers",
          reason);
    }
    status.waiting(reason);
  }

  /** Ends any wait for the teacher: the held checkpoint stays uncommitted for the next start. */
  void onShutdown(@Observes ShutdownEvent event) {
    stopping.complete(null);
    worker.shutdownNow();
  }

  private Optional<TeacherReference> cached(String artifactSha256) {
    if (artifactSha256.isEmpty()) {
      return Optional.empty();
    }
    return cache
        .get(artifactSha256, evalSet)
        .map(
            hit -> {
              status.served(hit.source());
              return hit.reference();
            });
  }

  private TeacherReference fromServedTeacher() throws EvaluationFailure {
    try {
      return describeAndFetch();
    } catch (TeacherRejectedException e) {
      throw new EvaluationFailure(EvaluationFailure.TEACHER_REJECTED, e.getMessage(), e);
    }
  }

  private TeacherReference describeAndFetch() throws EvaluationFailure {
    TeacherInfo served = teacher.describe();
    Optional<TeacherReference> cached = cached(served.artifactSha256());
    if (cached.isPresent()) {
      return cached.get();
    }
    checkFits(served);
    long start = System.nanoTime();
    float[] logProbs = fetch(served);
    TeacherReference reference =
        new TeacherReference(
            served.card(), evalSet.id(), evalSet.digest(), evalSet.classes(), logProbs);
    LOG.infof(
        "fetched the reference of teacher %s on %s (%d images) in %.1f s",
        served.label(), evalSet.id(), evalSet.size(), (System.nanoTime() - start) / 1e9);
    listener.fetched(reference);
    cache.put(reference, evalSet);
    status.fetched();
    return reference;
  }

  private float[] fetch(TeacherInfo served) {
    int batch =
        served.maxBatchSize() > 0
            ? Math.min(requestBatchSize, served.maxBatchSize())
            : requestBatchSize;
    int per = evalSet.data().sampleSize();
    int classes = evalSet.classes();
    float[] images = evalSet.data().images();
    float[] all = new float[evalSet.size() * classes];
    for (int start = 0; start < evalSet.size(); start += batch) {
      int count = Math.min(batch, evalSet.size() - start);
      float[] chunk = Arrays.copyOfRange(images, start * per, (start + count) * per);
      float[] answer = teacher.logProbs(served, chunk, count);
      System.arraycopy(answer, 0, all, start * classes, answer.length);
    }
    return all;
  }

  private void checkFits(TeacherInfo served) throws EvaluationFailure {
    String problem = null;
    if (!served.classification()) {
      problem = "is not a classifier (task " + served.card().getTask() + ")";
    } else if (!evalSet.fitsInputShape(served.inputShape())) {
      problem =
          "takes inputs of shape "
              + Arrays.toString(served.inputShape())
              + ", the eval set has "
              + Arrays.toString(evalSet.sampleShape());
    } else if (served.outputSize() != evalSet.classes()) {
      problem =
          "has "
              + served.outputSize()
              + " outputs, the eval set has "
              + evalSet.classes()
              + " classes";
    }
    if (problem != null) {
      throw new EvaluationFailure(
          EvaluationFailure.INCOMPATIBLE_TEACHER,
          "teacher " + served.label() + " " + problem + " (eval set " + evalSet.id() + ")");
    }
  }
}
