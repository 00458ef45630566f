package io.distillery.evaluator.teacher;

import io.distillery.proto.v1.TeacherCard;
import java.util.List;

/**
 * What the evaluator needs to know about the teacher it asks for reference outputs.
 *
 * @param artifactSha256 sha256 of the served model artifact: the reference's identity
 * @param classification whether the teacher is a classifier
 * @param inputShape shape of one input sample, e.g. (1, 28, 28)
 * @param outputSize number of classes
 * @param maxBatchSize largest Label request it accepts; 0 when it states none
 * @param card the whole card, recorded in every evaluation compared against this teacher
 */
public record TeacherInfo(
    String artifactSha256,
    boolean classification,
    long[] inputShape,
    int outputSize,
    int maxBatchSize,
    TeacherCard card) {

  /** Copies the input shape. */
  public TeacherInfo {
    inputShape = inputShape.clone();
  }

  /** The facts of a card. */
  public static TeacherInfo of(TeacherCard card) {
    List<Long> shape = card.getInputShapeList();
    long[] inputShape = new long[shape.size()];
    for (int i = 0; i < inputShape.length; i++) {
      inputShape[i] = shape.get(i);
    }
    return new TeacherInfo(
        card.getArtifactSha256(),
        card.getTask() == io.distillery.proto.v1.Task.TASK_CLASSIFICATION,
        inputShape,
        card.getOutputSize(),
        card.getLimits().getMaxBatchSize(),
        card);
  }

  /** Copy of the input shape. */
  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  /** Model id and version, for messages. */
  public String label() {
    return card.getModelId() + " " + card.getVersion() + " (sha256 " + artifactSha256 + ")";
  }
}
