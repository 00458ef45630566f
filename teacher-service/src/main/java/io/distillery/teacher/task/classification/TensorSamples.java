package io.distillery.teacher.task.classification;

import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.labeling.InvalidRequestException;
import java.util.List;

/** Checks a classifier's samples: a finite tensor of the card's input shape. */
final class TensorSamples {

  private final TeacherCard card;
  private final long sampleSize;

  TensorSamples(TeacherCard card) {
    this.card = card;
    this.sampleSize = card.getInputShapeList().stream().reduce(1L, (a, b) -> a * b);
  }

  static int sampleSize(long[] shape) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    return Math.toIntExact(size);
  }

  /**
   * @throws InvalidRequestException naming the field that breaks the contract
   */
  void validate(int index, ModelInput input) {
    if (!input.hasTensor()) {
      throw new InvalidRequestException(
          "input-kind",
          field(index)
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
          field(index)
              + ".tensor.shape: "
              + shape
              + " does not match the teacher's input shape "
              + card.getInputShapeList());
    }
    if (tensor.getValuesCount() != sampleSize) {
      throw new InvalidRequestException(
          "size",
          field(index)
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
            field(index)
                + ".tensor.values["
                + v
                + "]: "
                + value
                + "; inputs must be finite numbers");
      }
    }
  }

  /** The sample's field name, built only for an error message (not per valid sample). */
  private static String field(int index) {
    return "samples[" + index + "]";
  }
}
