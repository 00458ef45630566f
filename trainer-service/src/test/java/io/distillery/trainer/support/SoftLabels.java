package io.distillery.trainer.support;

import io.distillery.models.loss.HardLabel;
import io.distillery.models.task.Example;
import io.distillery.models.task.ExampleInput;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.labels.SoftLabel;
import java.util.List;

/** Classification soft labels for tests and benchmarks, built without the log. */
public final class SoftLabels {

  private SoftLabels() {}

  /** One image's label: its pixels, ground truth and the teacher's distribution. */
  public static SoftLabel image(
      long offset,
      String promptId,
      float[] pixels,
      long[] shape,
      HardLabel truth,
      TeacherCard teacher,
      float temperature,
      SparseDistribution distribution) {
    return new SoftLabel(
        0,
        offset,
        promptId,
        "fashion-mnist/train",
        new Example(new ExampleInput.Dense(pixels, shape), List.of(distribution), List.of(truth)),
        teacher,
        temperature);
  }

  /** The pixels of an image label. */
  public static float[] pixels(SoftLabel label) {
    return ((ExampleInput.Dense) label.example().input()).values();
  }

  /** The (first) class of an image label's ground truth. */
  public static int label(SoftLabel label) {
    return label.example().truths().get(0).label();
  }
}
