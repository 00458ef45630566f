package io.distillery.trainer.online;

import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.task.TrainingBatch;
import io.distillery.models.task.classification.DenseInputs;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.MutinyTeacherGrpc.MutinyTeacherStub;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.ClientSettings;
import io.distillery.teacherclient.Inputs;
import io.distillery.teacherclient.LabelAnswer;
import io.distillery.teacherclient.LabelCall;
import io.distillery.teacherclient.SampleLabel;
import io.distillery.teacherclient.TeacherClient;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.teacherclient.outcome.CallAbandonedException;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.distillery.trainer.job.IncompatibleJobException;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.job.OnlineSettings;
import io.distillery.trainer.labels.SoftLabel;
import io.distillery.trainer.metrics.JobMetrics;
import io.distillery.trainer.training.LabeledBatch;
import io.distillery.trainer.training.TargetSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Online targets — the "patient and consistent teacher" (Beyer et al. 2022): each batch's inputs
 * from the log become augmented views ({@link ViewAugmenter}: random shifts, optional mixup), and
 * the teacher labels exactly those views over gRPC, so student and teacher always see the same
 * image.
 *
 * <p>Requests are asynchronous: while the job trains one batch, the next {@code max-in-flight}
 * batches are being labelled. The shared {@link TeacherClient} splits a batch at the teacher's
 * {@code limits.max_batch_size} and retries a request that fails because the teacher is
 * unavailable, overloaded or late with exponential backoff (up to {@code online.max-backoff}) until
 * the job stops; training waits meanwhile, so no step is lost or taken twice. A request the teacher
 * rejects as invalid fails its batch, whose labels the job skips.
 */
public final class OnlineTargets implements TargetSource {

  private static final Logger LOG = Logger.getLogger(OnlineTargets.class);

  private final JobSpec spec;
  private final TeacherClient teacher;
  private final OnlineTeacherCalls calls;
  private final ViewAugmenter augmenter;
  private final long[] shape;
  private final int classes;
  private volatile boolean closed;
  private volatile TeacherCard card;
  private int topK;
  private int maxRequest;

  /**
   * @param stub the gRPC stub of client {@code teacher}; every call of this job goes through one
   *     {@link TeacherClient} that retries until the job stops
   */
  public OnlineTargets(JobSpec spec, MutinyTeacherStub stub, JobMetrics metrics) {
    this.spec = spec;
    OnlineSettings online = spec.online();
    this.calls = new OnlineTeacherCalls(spec.jobId(), metrics, online.maxBackoff());
    RetryPolicy untilStopped =
        RetryPolicy.untilGivenUp(online.initialBackoff(), online.maxBackoff());
    this.teacher =
        new TeacherClient(
            stub,
            new ClientSettings(
                "trainer-", online.deadline(), online.deadline(), untilStopped, untilStopped),
            calls);
    this.augmenter =
        new ViewAugmenter(
            spec.network().sampleShape(), spec.online().shiftPixels(), spec.online().mixupAlpha());
    this.shape = spec.network().sampleShape();
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
    try {
      card = teacher.describe(() -> stopped.getAsBoolean() || closed).get().card();
    } catch (ExecutionException e) {
      Throwable cause = Retrying.unwrap(e);
      if (cause instanceof CallAbandonedException) {
        return;
      }
      // Rejected or denied: waiting cannot make this teacher answer.
      throw new IncompatibleJobException(
          "job " + spec.jobId() + ": the teacher refused Describe: " + cause.getMessage());
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
    maxRequest = card.hasLimits() ? card.getLimits().getMaxBatchSize() : 0;
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
    LabelCall call =
        new LabelCall(
            Inputs.tensors(views, 0, n, shape), topK, spec.loss().temperature(), maxRequest);
    teacher
        .label(call, () -> closed || result.isDone())
        .whenComplete(
            (answer, error) -> {
              if (error != null) {
                Throwable cause = Retrying.unwrap(error);
                result.completeExceptionally(
                    cause instanceof CallAbandonedException
                        ? new CancellationException("job stopped")
                        : cause);
                return;
              }
              TeacherCard answering = card;
              String changed = answer.artifactSha256();
              if (changed.isEmpty() || changed.equals(answering.getArtifactSha256())) {
                complete(result, views, n, made.hard(), answer, answering);
                return;
              }
              // The teacher was redeployed: its new card is the lineage of these labels. Never
              // block here (a gRPC thread); describe asynchronously.
              teacher
                  .describe(() -> closed)
                  .whenComplete(
                      (fresh, failure) -> {
                        TeacherCard now =
                            failure == null
                                ? fresh.card()
                                : answering.toBuilder().setArtifactSha256(changed).build();
                        card = now;
                        LOG.infof(
                            "job %s: the teacher's artifact changed to %s (%s %s)",
                            spec.jobId(), changed, now.getModelId(), now.getVersion());
                        complete(result, views, n, made.hard(), answer, now);
                      });
            });
    return result;
  }

  private void complete(
      CompletableFuture<LabeledBatch> result,
      float[] views,
      int n,
      HardTargets hard,
      LabelAnswer answer,
      TeacherCard answering) {
    SoftTargets.Builder soft = SoftTargets.builder(classes, n);
    try {
      for (SampleLabel sample : answer.samples()) {
        SparseDistribution distribution = sample.positions().get(0);
        soft.add(distribution);
      }
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(
          TeacherRejectedException.unusable(
              CallRecord.LABEL,
              "teacher "
                  + answering.getModelId()
                  + " answered an invalid distribution: "
                  + e.getMessage()));
      return;
    }
    result.complete(
        new LabeledBatch(
            new TrainingBatch(new DenseInputs(views, n, spec.network()), soft.build(), hard),
            List.of(answering)));
  }

  @Override
  public void close() {
    closed = true;
  }
}
