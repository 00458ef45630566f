package io.distillery.teacher.task.classification;

/**
 * A batch of samples as one row-major float array.
 *
 * @param values {@code count × sampleSize} values
 * @param count number of samples
 */
public record FloatBatch(float[] values, int count) {}
