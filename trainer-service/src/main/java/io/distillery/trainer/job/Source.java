package io.distillery.trainer.job;

/** Where a job's training targets come from. */
public enum Source {
  /** The teacher's soft labels stored in the log. */
  OFFLINE,
  /** The teacher, asked over gRPC about augmented views of the inputs stored in the log. */
  ONLINE
}
