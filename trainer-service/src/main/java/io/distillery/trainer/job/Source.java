package io.distillery.trainer.job;

/** Where a job's training targets come from. */
public enum Source {
  /** The teacher's soft labels stored in the log. */
  OFFLINE,
  /** The teacher, asked over gRPC about augmented views of the inputs stored in the log. */
  ONLINE,
  /**
   * Sequence-level KD (Kim &amp; Rush 2016): the teacher's continuations stored in the log ({@code
   * generated_ids}), trained with the hard cross-entropy on the generated tokens and, when {@code
   * loss.alpha} is below 1, their soft labels.
   */
  SEQKD
}
