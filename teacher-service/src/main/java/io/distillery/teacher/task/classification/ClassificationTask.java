package io.distillery.teacher.task.classification;

import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.batching.BatcherListener;
import io.distillery.teacher.batching.DynamicBatcher;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.model.LoadedTeacher;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.task.ServedTask;

/** Classifiers: one tensor in, one distribution over classes out. */
public final class ClassificationTask implements ServedTask {

  @Override
  public Task task() {
    return Task.TASK_CLASSIFICATION;
  }

  @Override
  public ServedModel serve(
      LoadedTeacher teacher, TeacherConfig.Batching batching, BatcherListener listener) {
    long[] sampleShape =
        teacher.card().getInputShapeList().stream().mapToLong(Long::longValue).toArray();
    int sampleSize = TensorSamples.sampleSize(sampleShape);
    int outputs = teacher.card().getOutputSize();
    DynamicBatcher<Tensor, float[]> batcher =
        new DynamicBatcher<>(
            batching.maxBatchSize(),
            batching.maxDelay(),
            batching.queueCapacity(),
            batching.workers(),
            () ->
                new PredictorRunner(
                    teacher.model().newPredictor(new LogitsTranslator(sampleShape)),
                    sampleSize,
                    outputs),
            listener);
    return new ClassifierModel(teacher, batcher);
  }
}
