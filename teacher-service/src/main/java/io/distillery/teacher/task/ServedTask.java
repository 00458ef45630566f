package io.distillery.teacher.task;

import io.distillery.proto.v1.Task;
import io.distillery.teacher.batching.BatcherListener;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.model.LoadedTeacher;
import io.distillery.teacher.model.TeacherLoadException;

/**
 * How teacher-service serves one kind of model. Adding a task is a new implementation registered in
 * {@link ServedTasks}, not an edit of the gRPC service or the runtime.
 */
public interface ServedTask {

  /** The task of the cards this serves. */
  Task task();

  /**
   * Starts serving a loaded model: its batcher and workers.
   *
   * @param batching the batching settings
   * @param listener batch metrics
   * @throws TeacherLoadException when the model directory lacks what the task needs, naming it
   */
  ServedModel serve(
      LoadedTeacher teacher, TeacherConfig.Batching batching, BatcherListener listener)
      throws TeacherLoadException;
}
