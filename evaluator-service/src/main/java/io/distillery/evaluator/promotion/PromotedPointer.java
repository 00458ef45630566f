package io.distillery.evaluator.promotion;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The content of a job's {@value JobState#POINTER} file: which checkpoint is the job's best, and by
 * which measure. JSON with snake_case names, e.g. {@code jq -r .uri promoted}.
 *
 * @param jobId the job
 * @param step the promoted checkpoint's step
 * @param uri the promoted checkpoint's directory
 * @param manifestSha256 sha256 of its manifest
 * @param metric the ranking metric, e.g. {@code accuracy}
 * @param value its value for this checkpoint
 * @param evalSetId the eval set it was measured on
 * @param promotedAtMs when it was promoted, milliseconds since the epoch
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PromotedPointer(
    String jobId,
    long step,
    String uri,
    String manifestSha256,
    String metric,
    double value,
    String evalSetId,
    long promotedAtMs) {}
