package io.distillery.teacher.labeling;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.TeacherCard;

/**
 * Checks the task-independent part of a Label request against the teacher's card before anything is
 * queued: batch size, top-k, temperature. Each sample is checked by the served model's task.
 */
public final class RequestValidator {

  private final TeacherCard card;
  private final int maxRequestSamples;

  public RequestValidator(TeacherCard card, int maxRequestSamples) {
    this.card = card;
    this.maxRequestSamples = maxRequestSamples;
  }

  /** The card this validator checks against. */
  TeacherCard card() {
    return card;
  }

  /**
   * @throws InvalidRequestException naming the first field that breaks the contract
   */
  public void validate(LabelRequest request) {
    int count = request.getSamplesCount();
    if (count == 0) {
      throw new InvalidRequestException(
          "empty-batch",
          "samples: the batch is empty; send 1 to " + maxRequestSamples + " samples");
    }
    if (count > maxRequestSamples) {
      throw new InvalidRequestException(
          "batch-too-large",
          "samples: "
              + count
              + " samples exceed this teacher's max_batch_size of "
              + maxRequestSamples
              + "; split the request");
    }
    int maxTopK = card.getLimits().getMaxTopK();
    if (request.getTopK() < 1 || request.getTopK() > maxTopK) {
      throw new InvalidRequestException(
          "top-k",
          "top_k: "
              + request.getTopK()
              + " is outside [1, "
              + maxTopK
              + "] (the teacher card's limits.max_top_k)");
    }
    float temperature = request.getTemperature();
    if (!(temperature > 0) || Float.isInfinite(temperature)) {
      throw new InvalidRequestException(
          "temperature",
          "temperature: must be a finite number > 0 (1 = the model's own distribution), got "
              + temperature);
    }
  }
}
