package io.distillery.models.student;

import io.distillery.proto.v1.StudentSpec;

/** Checks of the fields every family reads, with messages naming the configuration key. */
final class StudentSpecs {

  private StudentSpecs() {}

  static long[] inputShape(StudentSpec spec) {
    if (spec.getInputShapeCount() == 0) {
      throw new IllegalArgumentException("student.input-shape: at least one dimension is needed");
    }
    long[] shape = new long[spec.getInputShapeCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = spec.getInputShape(i);
      if (shape[i] <= 0) {
        throw new IllegalArgumentException(
            "student.input-shape: dimensions must be positive, got " + spec.getInputShapeList());
      }
    }
    return shape;
  }

  static int outputSize(StudentSpec spec) {
    if (spec.getOutputSize() < 2) {
      throw new IllegalArgumentException(
          "student.output-size must be >= 2, got " + spec.getOutputSize());
    }
    return spec.getOutputSize();
  }

  static float dropout(StudentSpec spec) {
    float dropout = spec.getDropout();
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("student.dropout must be in [0, 1), got " + dropout);
    }
    return dropout;
  }

  static int positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("student." + key + " must be positive, got " + value);
    }
    return value;
  }
}
