package io.distillery.trainer.labels;

import io.distillery.models.task.DistillationTasks;
import io.distillery.models.task.Example;
import io.distillery.models.task.InvalidExampleException;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.TeacherCard;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a record of the soft-label log into a {@link SoftLabel}, checking everything that does not
 * depend on the job: the event decodes and has a teacher card; the card's task decodes the input,
 * the positions and the ground truth ({@link io.distillery.models.task.DistillationTask#decode}).
 * Pure and thread-safe apart from the card cache: the Kafka reader thread runs it, off the training
 * thread.
 */
public final class LabelDecoder {

  private static final int MAX_INTERNED_CARDS = 64;

  // Every label carries its teacher's card; one shared instance per teacher keeps the training
  // thread from decoding the same strings again for every label (lineage, batching).
  private final Map<String, TeacherCard> cards = new HashMap<>();

  /**
   * Decodes one record.
   *
   * @throws LabelRejectedException naming the reason and the offending field and value
   */
  public SoftLabel decode(int partition, long offset, Decoded<SoftLabelEvent> record)
      throws LabelRejectedException {
    if (record instanceof Decoded.Failed<SoftLabelEvent> failed) {
      throw new LabelRejectedException(
          SkipReason.UNDECODABLE,
          failed.failure().reason().tag() + ": " + failed.failure().message());
    }
    SoftLabelEvent event = ((Decoded.Ok<SoftLabelEvent>) record).value();
    if (!event.hasTeacher() || event.getTeacher().getOutputSize() <= 0) {
      throw new LabelRejectedException(
          SkipReason.MISSING_TEACHER,
          "prompt " + event.getPromptId() + " has no teacher card with an output size");
    }
    int outputSize = event.getTeacher().getOutputSize();
    if (!(event.getTemperature() > 0)) {
      throw new LabelRejectedException(
          SkipReason.BAD_DISTRIBUTION, "temperature is " + event.getTemperature() + ", not > 0");
    }
    Example example;
    try {
      example = DistillationTasks.of(event.getTeacher().getTask()).decode(event, outputSize);
    } catch (InvalidExampleException e) {
      throw new LabelRejectedException(SkipReason.of(e.problem()), e.getMessage());
    } catch (IllegalArgumentException unknownTask) {
      throw new LabelRejectedException(SkipReason.WRONG_POSITIONS, unknownTask.getMessage());
    }
    return new SoftLabel(
        partition,
        offset,
        event.getPromptId(),
        event.getDataset(),
        example,
        intern(event.getTeacher()),
        event.getTemperature());
  }

  private TeacherCard intern(TeacherCard card) {
    String key =
        card.getModelId() + "\u0000" + card.getVersion() + "\u0000" + card.getArtifactSha256();
    TeacherCard known = cards.get(key);
    if (known != null) {
      return known;
    }
    if (cards.size() >= MAX_INTERNED_CARDS) {
      cards.clear();
    }
    cards.put(key, card);
    return card;
  }
}
