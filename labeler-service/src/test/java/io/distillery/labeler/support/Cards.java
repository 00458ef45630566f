package io.distillery.labeler.support;

import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import io.distillery.teacherclient.TeacherDescription;
import java.util.List;

/** Teacher cards for plain unit tests. */
public final class Cards {

  private Cards() {}

  /** A Fashion-MNIST classifier: [1, 28, 28] in, 10 classes out, at most 8 samples a request. */
  public static TeacherCard.Builder fashion(DistillationPolicy policy) {
    return TeacherCard.newBuilder()
        .setModelId("unit-fashion")
        .setVersion("1")
        .setArtifactSha256("abc123")
        .setEngine("OnnxRuntime")
        .setTask(Task.TASK_CLASSIFICATION)
        .addAllInputShape(List.of(1L, 28L, 28L))
        .setOutputSize(10)
        .setLicenseSpdx("Apache-2.0")
        .setDistillation(policy)
        .setLimits(TeacherLimits.newBuilder().setMaxBatchSize(8).setMaxTopK(10));
  }

  /** {@link #fashion} with distillation allowed, as a profile. */
  public static TeacherDescription allowedFashion() {
    return new TeacherDescription(fashion(DistillationPolicy.DISTILLATION_ALLOWED).build());
  }

  /** A causal LM over 256 byte tokens, sequences of at most 16. */
  public static TeacherDescription byteLm() {
    return new TeacherDescription(
        TeacherCard.newBuilder()
            .setModelId("unit-bytes")
            .setVersion("1")
            .setTask(Task.TASK_CAUSAL_LM)
            .setOutputSize(256)
            .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
            .setLimits(TeacherLimits.newBuilder().setMaxBatchSize(4).setMaxSequenceLength(16))
            .build());
  }
}
