package io.distillery.trainer.job;

/**
 * How a job run ended.
 *
 * @param finished true when every pass is done (false: stopped before)
 * @param step optimizer steps taken by the job (over all runs)
 * @param samplesSeen samples trained on by the job (over all runs)
 * @param pass the pass the job was in (or completed last)
 */
public record JobResult(boolean finished, long step, long samplesSeen, int pass) {}
