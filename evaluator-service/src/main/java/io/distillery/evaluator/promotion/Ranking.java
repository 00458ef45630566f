package io.distillery.evaluator.promotion;

/**
 * The value that ranks one scored checkpoint among its job's.
 *
 * @param metricId the metric's configuration spelling, e.g. {@code accuracy} or {@code
 *     bits-per-byte}; a promoted checkpoint ranked by another metric is not comparable
 * @param value the checkpoint's value of it
 * @param higherIsBetter whether larger values are better
 */
public record Ranking(String metricId, double value, boolean higherIsBetter) {}
