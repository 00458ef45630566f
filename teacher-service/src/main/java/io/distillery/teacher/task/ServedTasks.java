package io.distillery.teacher.task;

import io.distillery.proto.v1.Task;
import io.distillery.teacher.model.TeacherLoadException;
import io.distillery.teacher.task.causallm.CausalLmTask;
import io.distillery.teacher.task.classification.ClassificationTask;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The tasks teacher-service can serve, by the task on the teacher's card. */
public final class ServedTasks {

  private static final Map<Task, ServedTask> TASKS =
      List.<ServedTask>of(new ClassificationTask(), new CausalLmTask()).stream()
          .collect(Collectors.toUnmodifiableMap(ServedTask::task, Function.identity()));

  private ServedTasks() {}

  /**
   * The serving side of a card's task.
   *
   * @throws TeacherLoadException when this version cannot serve the task, naming it
   */
  public static ServedTask of(Task task) throws TeacherLoadException {
    ServedTask served = TASKS.get(task);
    if (served == null) {
      throw new TeacherLoadException(
          "the teacher card's task "
              + task
              + " cannot be served by this version; it serves "
              + TASKS.keySet().stream().map(Task::name).sorted().toList());
    }
    return served;
  }
}
