package io.distillery.trainer.training;

import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.trainer.job.IncompatibleJobException;
import io.distillery.trainer.labels.LabelRejectedException;
import io.distillery.trainer.labels.SoftLabel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Turns the labels drawn for one step into that step's inputs and targets: from the stored soft
 * labels (offline) or by asking the teacher about augmented views (online).
 */
public interface TargetSource extends AutoCloseable {

  /**
   * Prepares before the first step; an online source waits for the teacher (while {@code stopped}
   * is false) and checks its card against the student.
   *
   * @throws IncompatibleJobException when the teacher and the student do not fit
   */
  default void open(BooleanSupplier stopped)
      throws IncompatibleJobException, InterruptedException {}

  /**
   * The part of an admitted label this source trains on: the whole label, or (sequence-level KD)
   * only the positions whose next token the teacher generated.
   *
   * @throws LabelRejectedException when the label has nothing this source trains on
   */
  default SoftLabel select(SoftLabel label) throws LabelRejectedException {
    return label;
  }

  /** Whether the labels' stored distributions are the targets (offline). */
  boolean usesStoredDistributions();

  /** How many batches may be labelled ahead of training. */
  default int maxInFlight() {
    return 1;
  }

  /**
   * The batch for these labels. Fails with {@link TeacherRejectedException} when the teacher
   * refused them (their labels are then skipped); waits through teacher outages otherwise.
   *
   * @param labels the drawn labels
   * @param seed seed of this batch's augmentation
   */
  CompletableFuture<LabeledBatch> label(List<SoftLabel> labels, long seed);

  @Override
  default void close() {}
}
