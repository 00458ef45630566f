package io.distillery.trainer.online;

import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.task.TrainingBatch;
import io.distillery.models.task.classification.DenseInputs;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.job.IncompatibleJobException;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.labels.SoftLabel;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.training.LabeledBatch;
import io.distillery.trainer.training.TargetSource;
import io.distillery.trainer.training.TeacherRejectedException;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Online targets — the "patient and consistent teacher" (Beyer et al. 2022): each batch's inputs
 * from the log become augmented views ({@link ViewAugmenter}: random shifts, optional mixup), and
 * the teacher labels exactly those views over gRPC, so student and teacher always see the same
 * image.
 *
 * <p>Requests are asynchronous: while the job trains one batch, the next {@code max-in-flight}
 * batches are being labelled. A request that fails because the teacher is unavailable, overloaded
 * or late is retried with exponential backoff (up to {@code online.max-backoff}) for as long as the
 * outage lasts; training waits meanwhile, so no step is lost or taken twice. A request the teacher
 * rejects as invalid fails its batch, whose labels the job skips.
 */
public final class OnlineTargets implements TargetSource {

  private static final Logger LOG = Logger.getLogger(OnlineTargets.class);

  private final JobSpec spec;
  private final TeacherClient teacher;
  private final JobMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final ViewAugmenter augmenter;
  private final long[] shape;
  private final int sampleSize;
  private final int classes;
  private final AtomicBoolean down = new AtomicBoolean();
  private volatile boolean closed;
  private volatile TeacherCard card;
  private int topK;
  private int maxRequest;

  public OnlineTargets(JobSpec spec, TeacherClient teacher, JobMetrics metrics) {
    this.spec = spec;
    this.teacher = teacher;
    this.metrics = metrics;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, spec.consumerGroup() + "-teacher-retry");
              t.setDaemon(true);
              return t;
            });
    this.augmenter =
        new ViewAugmenter(
            spec.network().sampleShape(), spec.online().shiftPixels(), spec.online().mixupAlpha());
    this.shape = spec.network().sampleShape();
    this.sampleSize = spec.network().sampleSize();
    this.classes = spec.network().outputSize();
  }

  @Override
  public boolean usesStoredDistributions() {
    return false;
  }

  @Override
  public int maxInFlight() {
    return spec.online().maxInFlight();
  }

  /** The card of the teacher answering now. */
  public TeacherCard card() {
    return card;
  }

  @Override
  public void open(BooleanSupplier stopped) throws IncompatibleJobException, InterruptedException {
    Duration backoff = spec.online().initialBackoff();
    while (card == null && !stopped.getAsBoolean()) {
      try {
        card = teacher.describe(spec.online().deadline()).get();
        up();
      } catch (ExecutionException e) {
        Throwable cause = unwrap(e);
        if (cause instanceof TeacherRejectedException) {
          throw new IncompatibleJobException(
              "job " + spec.jobId() + ": the teacher refused Describe: " + cause.getMessage());
        }
        down("teacher Describe failed: " + cause.getMessage());
        TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
        backoff = next(backoff);
      }
    }
    if (card == null) {
      return;
    }
    Optional<String> problem = spec.task().incompatibility(card, spec.network());
    if (problem.isPresent()) {
      throw new IncompatibleJobException(
          "job " + spec.jobId() + " cannot train online: " + problem.get());
    }
    if (card.getDistillation() == DistillationPolicy.DISTILLATION_FORBIDDEN) {
      throw new IncompatibleJobException(
          "job "
              + spec.jobId()
              + ": teacher "
              + card.getModelId()
              + " "
              + card.getVersion()
              + " is licensed "
              + card.getLicenseSpdx()
              + ", which forbids distillation");
    }
    topK = spec.online().topK() == 0 ? classes : Math.min(spec.online().topK(), classes);
    int limit = card.hasLimits() ? card.getLimits().getMaxBatchSize() : 0;
    maxRequest = limit > 0 ? limit : Integer.MAX_VALUE;
    LOG.infof(
        "job %s labels online with teacher %s %s (%s): top-%d at T=%s, ±%d px views, %d batches in"
            + " flight",
        spec.jobId(),
        card.getModelId(),
        card.getVersion(),
        card.getEngine(),
        topK,
        spec.loss().temperature(),
        spec.online().shiftPixels(),
        spec.online().maxInFlight());
  }

  @Override
  public CompletableFuture<LabeledBatch> label(List<SoftLabel> labels, long seed) {
    int n = labels.size();
    ViewAugmenter.Views made = augmenter.views(labels, classes, seed);
    float[] views = made.inputs();
    CompletableFuture<LabeledBatch> result = new CompletableFuture<>();
    List<CompletableFuture<TeacherAnswer>> parts = new ArrayList<>();
    for (int start = 0; start < n; start += maxRequest) {
      CompletableFuture<TeacherAnswer> part = new CompletableFuture<>();
      attempt(
          views,
          start,
          Math.min(maxRequest, n - start),
          result,
          spec.online().initialBackoff(),
          part);
      parts.add(part);
    }
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, failure) -> {
              if (failure != null) {
                result.completeExceptionally(unwrap(failure));
                return;
              }
              TeacherCard answering = card;
              String changed = changedArtifact(parts, answering);
              if (changed == null) {
                complete(result, views, n, made.hard(), parts, answering);
                return;
              }
              // The teacher was redeployed: its new card is the lineage of these labels. Never
              // block here (a gRPC thread); describe asynchronously.
              teacher
                  .describe(spec.online().deadline())
                  .whenComplete(
                      (fresh, error) -> {
                        TeacherCard now =
                            error == null
                                ? fresh
                                : answering.toBuilder().setArtifactSha256(changed).build();
                        card = now;
                        LOG.infof(
                            "job %s: the teacher's artifact changed to %s (%s %s)",
                            spec.jobId(), changed, now.getModelId(), now.getVersion());
                        complete(result, views, n, made.hard(), parts, now);
                      });
            });
    return result;
  }

  private static String changedArtifact(
      List<CompletableFuture<TeacherAnswer>> parts, TeacherCard card) {
    for (CompletableFuture<TeacherAnswer> part : parts) {
      String sha = part.join().artifactSha256();
      if (!sha.isEmpty() && !sha.equals(card.getArtifactSha256())) {
        return sha;
      }
    }
    return null;
  }

  private void complete(
      CompletableFuture<LabeledBatch> result,
      float[] views,
      int n,
      HardTargets hard,
      List<CompletableFuture<TeacherAnswer>> parts,
      TeacherCard answering) {
    SoftTargets.Builder soft = SoftTargets.builder(classes, n);
    try {
      for (CompletableFuture<TeacherAnswer> part : parts) {
        for (var distribution : part.join().distributions()) {
          soft.add(distribution);
        }
      }
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(
          new TeacherRejectedException(
              "teacher "
                  + answering.getModelId()
                  + " answered an invalid distribution: "
                  + e.getMessage(),
              e));
      return;
    }
    result.complete(
        new LabeledBatch(
            new TrainingBatch(new DenseInputs(views, n, spec.network()), soft.build(), hard),
            List.of(answering)));
  }

  /** One Label call for views [start, start + count); retried on outages until done or stopped. */
  private void attempt(
      float[] views,
      int start,
      int count,
      CompletableFuture<LabeledBatch> owner,
      Duration backoff,
      CompletableFuture<TeacherAnswer> out) {
    if (closed || owner.isDone()) {
      out.completeExceptionally(new CancellationException("job stopped"));
      return;
    }
    teacher
        .label(
            views, start, count, shape, topK, spec.loss().temperature(), spec.online().deadline())
        .whenComplete(
            (answer, failure) -> {
              if (failure == null) {
                metrics.teacherRequest("ok");
                up();
                out.complete(answer);
                return;
              }
              Throwable cause = unwrap(failure);
              if (cause instanceof TeacherRejectedException) {
                metrics.teacherRequest("rejected");
                out.completeExceptionally(cause);
                return;
              }
              metrics.teacherRequest(outcome(cause));
              down(cause.getMessage());
              try {
                scheduler.schedule(
                    () -> attempt(views, start, count, owner, next(backoff), out),
                    backoff.toMillis(),
                    TimeUnit.MILLISECONDS);
              } catch (RuntimeException rejected) {
                out.completeExceptionally(new CancellationException("job stopped"));
              }
            });
  }

  private Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(spec.online().maxBackoff()) > 0 ? spec.online().maxBackoff() : doubled;
  }

  private void down(String reason) {
    metrics.teacherUp(false);
    if (down.compareAndSet(false, true)) {
      LOG.warnf(
          "job %s: %s; training waits and retries with backoff up to %s",
          spec.jobId(), reason, spec.online().maxBackoff());
    }
  }

  private void up() {
    metrics.teacherUp(true);
    if (down.compareAndSet(true, false)) {
      LOG.infof("job %s: the teacher answers again; training resumes", spec.jobId());
    }
  }

  private static String outcome(Throwable failure) {
    Throwable cause = failure.getCause() == null ? failure : failure.getCause();
    return Status.fromThrowable(cause).getCode().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Throwable unwrap(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
  }
}
