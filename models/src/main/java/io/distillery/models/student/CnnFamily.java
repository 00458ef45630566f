package io.distillery.models.student;

import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;

/**
 * Small convolutional networks for images: 3×3 conv-ReLU-max-pool stages, then dense layers (see
 * {@link Networks#cnn}).
 */
final class CnnFamily implements StudentFamily {

  static final String NAME = "cnn";

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
    if (spec.getConvChannelsCount() == 0) {
      throw new IllegalArgumentException(
          "student.conv-channels: a cnn student needs at least one convolution stage");
    }
    int[] channels = new int[spec.getConvChannelsCount()];
    for (int i = 0; i < channels.length; i++) {
      channels[i] = StudentSpecs.positive("conv-channels", spec.getConvChannels(i));
    }
    int[] hidden = new int[spec.getHiddenSizesCount()];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = StudentSpecs.positive("hidden-sizes", spec.getHiddenSizes(i));
    }
    long[] shape = StudentSpecs.inputShape(spec);
    if (shape.length != 3) {
      throw new IllegalArgumentException(
          "student.input-shape: a cnn student takes (channels, rows, cols) images, got "
              + spec.getInputShapeList());
    }
    return Networks.cnn(
        shape, channels, hidden, StudentSpecs.outputSize(spec), StudentSpecs.dropout(spec));
  }
}
