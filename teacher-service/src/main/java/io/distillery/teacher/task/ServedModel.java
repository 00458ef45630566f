package io.distillery.teacher.task;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.watermark.OutputMark;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A loaded teacher serving one task: what differs between a classifier and a language model when
 * labelling — the samples it accepts, how they are batched through the engine, and how outputs
 * become sparse distributions per position. The request-level contract (batch size, top-k,
 * temperature) is checked before it is called ({@code RequestValidator}).
 */
public interface ServedModel extends AutoCloseable {

  /** The card, with the artifact's sha256, the engine and the limits filled in. */
  TeacherCard card();

  /**
   * Checks every sample of a request against this model.
   *
   * @throws io.distillery.teacher.labeling.InvalidRequestException naming the first bad field
   */
  void validateSamples(LabelRequest request);

  /**
   * Queues a validated request's samples for batching and answers with one {@code SampleLabels} per
   * sample, in order.
   *
   * @param timeLeft how long the caller waits (its gRPC deadline), when it said
   * @throws io.distillery.teacher.batching.QueueFullException when the queue cannot take it now
   * @throws io.distillery.teacher.batching.DeadlineUnreachableException when the queue ahead is
   *     expected to outlast {@code timeLeft}
   */
  CompletableFuture<LabelResponse> label(LabelRequest request, Optional<Duration> timeLeft);

  /**
   * Like {@link #label(LabelRequest, Optional)}, with each sample's logits passed through {@code
   * mark} before top-k and temperature. Classifiers and causal LMs implement it.
   */
  default CompletableFuture<LabelResponse> label(
      LabelRequest request, Optional<Duration> timeLeft, OutputMark mark) {
    if (mark.marks()) {
      throw new UnsupportedOperationException(
          "watermarked outputs are not implemented for "
              + card().getTask()
              + " (unset distillery.teacher.access.clients.<id>.watermark)");
    }
    return label(request, timeLeft);
  }

  /** Samples waiting for a forward pass. */
  int queueDepth();

  /** Stops batching and releases the engine's resources. */
  @Override
  void close();
}
