package io.distillery.trainer.job;

import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.trainer.training.StepResult;
import java.io.IOException;

/**
 * Observation points of a running job, for tests and the benchmark: they watch steps and
 * checkpoints, and can simulate a crash by throwing an {@link Error} (which, like {@code kill -9},
 * skips every cleanup). Production jobs use {@link #NONE}.
 */
public interface JobHooks {

  /** No hooks. */
  JobHooks NONE = new JobHooks() {};

  /** After each optimizer step. */
  default void afterStep(int pass, long step, int samples, StepResult loss) {}

  /** Before each file of a checkpoint is written. */
  default void beforeCheckpointFile(long step, String file) throws IOException {}

  /** After a checkpoint was written and announced. */
  default void afterCheckpoint(Checkpoint checkpoint) {}
}
