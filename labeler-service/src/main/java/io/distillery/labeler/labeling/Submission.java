package io.distillery.labeler.labeling;

import java.util.concurrent.CompletionStage;

/**
 * The labeler's two answers to a poll batch.
 *
 * @param accepted completes when every unit of work of the batch holds an in-flight permit: the
 *     channel may hand over the next batch
 * @param completed completes when every label and dead letter of the batch is acknowledged by the
 *     broker: the batch's offsets may be committed. Fails only when writing to Kafka failed.
 */
public record Submission(CompletionStage<Void> accepted, CompletionStage<Void> completed) {}
