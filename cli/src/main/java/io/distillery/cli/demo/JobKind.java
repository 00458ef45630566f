package io.distillery.cli.demo;

/** The jobs a demo track runs per seed; they differ only in their targets. */
public enum JobKind {
  /** The student on ground-truth labels only (α = 1): the from-scratch baseline. */
  HARD("hard", "hard labels"),
  /** The same student on the teacher's soft labels from the log. */
  KD("kd", "distilled (soft-label log)"),
  /** The same student taught online by teacher-service on augmented views of each batch. */
  KD_ONLINE("kd-online", "distilled online (consistent teaching)"),
  /**
   * A language model on the teacher's stored continuations (sequence-level KD, Kim &amp; Rush
   * 2016): hard cross-entropy on the tokens the teacher generated.
   */
  SEQKD("seqkd", "sequence-level KD (teacher's continuations)");

  private final String id;
  private final String title;

  JobKind(String id, String title) {
    this.id = id;
    this.title = title;
  }

  /** Short name used in job ids, e.g. {@code kd}. */
  public String id() {
    return id;
  }

  /** Row title in the result table. */
  public String title() {
    return title;
  }

  /** The job id for a seed, e.g. {@code kd-s2}. */
  public String jobId(int seed) {
    return id + "-s" + seed;
  }
}
