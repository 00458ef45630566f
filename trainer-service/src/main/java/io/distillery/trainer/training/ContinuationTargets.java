package io.distillery.trainer.training;

import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.InvalidExampleException;
import io.distillery.trainer.job.JobSpec;
import io.distillery.trainer.labels.LabelRejectedException;
import io.distillery.trainer.labels.SkipReason;
import io.distillery.trainer.labels.SoftLabel;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sequence-level KD (Kim &amp; Rush 2016, {@code source=seqkd}): trains on the teacher's
 * continuations stored in the log. Each label keeps only the positions whose next token the teacher
 * generated ({@link DistillationTask#continuation}); the hard cross-entropy is then on the
 * generated tokens, and with {@code loss.alpha} below 1 their soft labels are added. Labels without
 * a continuation are skipped ({@code no-continuation}).
 */
public final class ContinuationTargets implements TargetSource {

  private final DistillationTask task;
  private final OfflineTargets batches;

  public ContinuationTargets(DistillationTask task, OfflineTargets batches) {
    this.task = task;
    this.batches = batches;
  }

  /** Targets of a job's task, student and loss. */
  public static ContinuationTargets of(JobSpec spec) {
    return new ContinuationTargets(spec.task(), OfflineTargets.of(spec));
  }

  @Override
  public SoftLabel select(SoftLabel label) throws LabelRejectedException {
    try {
      return label.with(task.continuation(label.example()), label.temperature());
    } catch (InvalidExampleException e) {
      throw new LabelRejectedException(SkipReason.NO_CONTINUATION, e.getMessage());
    }
  }

  @Override
  public boolean usesStoredDistributions() {
    return true;
  }

  @Override
  public CompletableFuture<LabeledBatch> label(List<SoftLabel> labels, long seed) {
    return batches.label(labels, seed);
  }
}
