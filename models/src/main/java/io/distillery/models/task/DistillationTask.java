package io.distillery.models.task;

import io.distillery.models.nn.NetworkSpec;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import java.util.List;
import java.util.Optional;

/**
 * What differs between kinds of models — classification today, causal language modelling next — so
 * that the services' loops never branch on shapes or class counts. A task decodes and checks soft
 * labels into {@link Example}s, says whether a student fits a teacher, and turns examples into
 * {@link TrainingBatch}es whose rows are output positions. Adding a task is a new implementation
 * registered in {@link DistillationTasks} (docs/architecture.md has the checklist).
 */
public interface DistillationTask {

  /** The task on teacher cards. */
  Task kind();

  /** Its name in configuration, logs and reports, e.g. {@code classification}. */
  String name();

  /**
   * Decodes a soft label and checks everything that does not depend on the job: the input, the
   * number of positions, the distributions (ids within {@code outputSize}) and the ground truth.
   *
   * @param outputSize classes or vocabulary size of the label's teacher
   * @throws InvalidExampleException naming the problem and the offending field and value
   */
  Example decode(SoftLabelEvent event, int outputSize) throws InvalidExampleException;

  /**
   * Why {@code student} cannot learn from {@code teacher} (input shape, output size, ...), or empty
   * when it can.
   */
  Optional<String> incompatibility(TeacherCard teacher, NetworkSpec student);

  /** Why an example does not fit {@code student}'s input, or empty when it does. */
  Optional<String> inputProblem(Example example, NetworkSpec student);

  /**
   * The batch of {@code examples} for {@code student}.
   *
   * @param withSoft whether to build soft targets (the loss uses them)
   */
  TrainingBatch batch(List<Example> examples, NetworkSpec student, boolean withSoft);

  /**
   * The example restricted to what sequence-level distillation (Kim &amp; Rush 2016) trains on: the
   * positions whose next token the teacher generated, with those tokens as the ground truth.
   *
   * @throws InvalidExampleException (WRONG_POSITIONS) when the example has no generated tokens or
   *     the task does not generate
   */
  default Example continuation(Example example) throws InvalidExampleException {
    throw new InvalidExampleException(
        InvalidExampleException.Problem.WRONG_POSITIONS,
        name() + " labels have no teacher continuation to train on");
  }
}
