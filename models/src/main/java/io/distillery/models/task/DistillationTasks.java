package io.distillery.models.task;

import io.distillery.models.task.causallm.CausalLmTask;
import io.distillery.models.task.classification.ClassificationTask;
import io.distillery.proto.v1.Task;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The tasks Distillery distils, by the task on a teacher card. */
public final class DistillationTasks {

  private static final Map<Task, DistillationTask> TASKS =
      List.<DistillationTask>of(new ClassificationTask(), new CausalLmTask()).stream()
          .collect(Collectors.toUnmodifiableMap(DistillationTask::kind, Function.identity()));

  private DistillationTasks() {}

  /**
   * The task of a card; cards written before tasks were recorded are classifiers.
   *
   * @throws IllegalArgumentException when this version does not know the task, naming it
   */
  public static DistillationTask of(Task kind) {
    DistillationTask task =
        TASKS.get(kind == Task.TASK_UNSPECIFIED ? Task.TASK_CLASSIFICATION : kind);
    if (task == null) {
      throw new IllegalArgumentException(
          "task "
              + kind
              + " is not supported by this version; it distils "
              + TASKS.values().stream().map(DistillationTask::name).sorted().toList());
    }
    return task;
  }
}
