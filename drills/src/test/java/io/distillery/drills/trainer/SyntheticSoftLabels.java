package io.distillery.drills.trainer;

import com.google.protobuf.ByteString;
import io.distillery.drills.support.FashionPrompts;
import io.distillery.drills.support.Kafka;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import java.util.ArrayList;
import java.util.List;

/**
 * Soft labels of real Fashion-MNIST images from a made-up teacher that puts 70% on the true class,
 * 20% on the next one and 5% on the one after, 5% in the tail. What the trainer drill tests is the
 * bookkeeping of offsets and resumes, not what the student learns, so no teacher has to run.
 */
final class SyntheticSoftLabels {

  static final float TEMPERATURE = 2f;

  private static final TeacherCard CARD =
      TeacherCard.newBuilder()
          .setModelId("drill-synthetic")
          .setVersion("1")
          .setArtifactSha256("d".repeat(64))
          .setEngine("none")
          .setTask(Task.TASK_CLASSIFICATION)
          .addAllInputShape(List.of(1L, 28L, 28L))
          .setOutputSize(10)
          .setLicenseSpdx("Apache-2.0")
          .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
          .build();

  private SyntheticSoftLabels() {}

  static void write(String bootstrap, String topic, int count) throws Exception {
    int chunk = 5_000;
    for (int from = 0; from < count; from += chunk) {
      List<Kafka.Out> records = new ArrayList<>(chunk);
      for (int i = from; i < Math.min(count, from + chunk); i++) {
        SoftLabelEvent label = label(i);
        records.add(new Kafka.Out(label.getPromptId(), label.toByteArray()));
      }
      Kafka.write(bootstrap, topic, records);
    }
  }

  static SoftLabelEvent label(int index) throws Exception {
    PromptEvent prompt = FashionPrompts.prompt("train", index);
    int label = prompt.getLabel();
    SparseDistribution distribution =
        SparseDistribution.newBuilder()
            .addIds(label)
            .addLogProbs((float) Math.log(0.70))
            .addIds((label + 1) % 10)
            .addLogProbs((float) Math.log(0.20))
            .addIds((label + 2) % 10)
            .addLogProbs((float) Math.log(0.05))
            .setTailMass(0.05f)
            .build();
    return SoftLabelEvent.newBuilder()
        .setPromptId(prompt.getId())
        .setDataset("drill")
        .setInput(prompt.getInput())
        .setLabel(label)
        .setTeacher(CARD)
        .setTopK(3)
        .setTemperature(TEMPERATURE)
        .setPositions(1)
        .setDistributions(ByteString.copyFrom(SparseCodec.encode(List.of(distribution))))
        .build();
  }
}
