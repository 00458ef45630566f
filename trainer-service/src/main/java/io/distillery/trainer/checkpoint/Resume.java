package io.distillery.trainer.checkpoint;

import io.distillery.models.checkpoint.Checkpoint;
import java.util.Optional;

/**
 * What a job starts from: nothing (a new job) or its latest complete checkpoint with the files
 * needed to continue.
 *
 * @param checkpoint the checkpoint, empty for a new job
 * @param state its bookmark (null for a new job)
 * @param parameters the student's saved parameters (null for a new job)
 * @param optimizerState saved optimizer state (null if none)
 */
public record Resume(
    Optional<Checkpoint> checkpoint, TrainerState state, byte[] parameters, byte[] optimizerState) {

  /** A new job. */
  public static Resume fresh() {
    return new Resume(Optional.empty(), null, null, null);
  }

  /** Whether the job already wrote its final checkpoint. */
  public boolean finished() {
    return checkpoint.map(c -> c.manifest().getFinal()).orElse(false);
  }
}
