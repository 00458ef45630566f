package io.distillery.teacher.labeling;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import java.util.List;

/** Checks a Label request against the teacher's card before anything is queued. */
public final class RequestValidator {

  private final TeacherCard card;
  private final int maxRequestSamples;
  private final long sampleSize;

  public RequestValidator(TeacherCard card, int maxRequestSamples) {
    this.card = card;
    this.maxRequestSamples = maxRequestSamples;
    this.sampleSize = card.getInputShapeList().stream().reduce(1L, (a, b) -> a * b);
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
    int outputs = card.getOutputSize();
    if (request.getTopK() < 1 || request.getTopK() > outputs) {
      throw new InvalidRequestException(
          "top-k", "top_k: " + request.getTopK() + " is outside [1, " + outputs + "]");
    }
    float temperature = request.getTemperature();
    if (!(temperature > 0) || Float.isInfinite(temperature)) {
      throw new InvalidRequestException(
          "temperature",
          "temperature: must be a finite number > 0 (1 = the model's own distribution), got "
              + temperature);
    }
    for (int i = 0; i < count; i++) {
      validateSample(i, request.getSamples(i));
    }
  }

  private void validateSample(int index, ModelInput input) {
    String field = "samples[" + index + "]";
    if (!input.hasTensor()) {
      throw new InvalidRequestException(
          "input-kind",
          field
              + ": expected a tensor of shape "
              + card.getInputShapeList()
              + ", got "
              + (input.hasTokens() ? "token ids" : "no input"));
    }
    Tensor tensor = input.getTensor();
    List<Long> shape = tensor.getShapeList();
    if (!shape.isEmpty() && !shape.equals(card.getInputShapeList())) {
      throw new InvalidRequestException(
          "shape",
          field
              + ".tensor.shape: "
              + shape
              + " does not match the teacher's input shape "
              + card.getInputShapeList());
    }
    if (tensor.getValuesCount() != sampleSize) {
      throw new InvalidRequestException(
          "size",
          field
              + ".tensor.values: "
              + tensor.getValuesCount()
              + " values, expected "
              + sampleSize
              + " for shape "
              + card.getInputShapeList());
    }
    for (int v = 0; v < tensor.getValuesCount(); v++) {
      float value = tensor.getValues(v);
      if (!Float.isFinite(value)) {
        throw new InvalidRequestException(
            "non-finite",
            field + ".tensor.values[" + v + "]: " + value + "; inputs must be finite numbers");
      }
    }
  }
}
