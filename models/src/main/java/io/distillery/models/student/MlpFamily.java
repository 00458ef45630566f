package io.distillery.models.student;

import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;

/** Multi-layer perceptrons: flatten, dense-ReLU(-dropout) per hidden width, dense output. */
final class MlpFamily implements StudentFamily {

  static final String NAME = "mlp";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Task task() {
    return Task.TASK_CLASSIFICATION;
  }

  @Override
  public NetworkSpec network(StudentSpec spec) {
    long[] shape = StudentSpecs.inputShape(spec);
    int[] sizes = new int[spec.getHiddenSizesCount() + 2];
    long features = 1;
    for (long d : shape) {
      features *= d;
    }
    sizes[0] = Math.toIntExact(features);
    for (int i = 0; i < spec.getHiddenSizesCount(); i++) {
      sizes[i + 1] = StudentSpecs.positive("hidden-sizes", spec.getHiddenSizes(i));
    }
    sizes[sizes.length - 1] = StudentSpecs.outputSize(spec);
    return Networks.mlp(shape, sizes, StudentSpecs.dropout(spec));
  }
}
