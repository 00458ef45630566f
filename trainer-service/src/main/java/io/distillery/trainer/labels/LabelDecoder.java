package io.distillery.trainer.labels;

import io.distillery.models.loss.HardLabel;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.kafka.Decoded;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a record of the soft-label log into a {@link SoftLabel}, checking everything that does not
 * depend on the job: the event decodes, has a teacher card, one position, a dense input whose
 * values fit its shape, and a distribution with ids inside the card's output size. Pure and
 * thread-safe: the Kafka reader thread runs it, off the training thread.
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
    if (event.getPositions() != 1) {
      throw new LabelRejectedException(
          SkipReason.WRONG_POSITIONS,
          "positions is " + event.getPositions() + ", a classification label has exactly 1");
    }
    float[] input = input(event);
    long[] shape = event.getInput().getTensor().getShapeList().stream().mapToLong(d -> d).toArray();
    SparseDistribution distribution = distribution(event, outputSize);
    HardLabel truth = truth(event, outputSize);
    if (!(event.getTemperature() > 0)) {
      throw new LabelRejectedException(
          SkipReason.BAD_DISTRIBUTION, "temperature is " + event.getTemperature() + ", not > 0");
    }
    return new SoftLabel(
        partition,
        offset,
        event.getPromptId(),
        event.getDataset(),
        input,
        shape,
        truth,
        intern(event.getTeacher()),
        event.getTemperature(),
        distribution);
  }

  private static HardLabel truth(SoftLabelEvent event, int outputSize)
      throws LabelRejectedException {
    if (!event.hasLabel()) {
      return HardLabel.none();
    }
    int label = checkClass("label", event.getLabel(), outputSize);
    if (!event.hasLabelMix()) {
      return HardLabel.of(label);
    }
    int second =
        checkClass("label_mix.second_label", event.getLabelMix().getSecondLabel(), outputSize);
    float weight = event.getLabelMix().getWeight();
    if (!(weight >= 0 && weight <= 1)) {
      throw new LabelRejectedException(
          SkipReason.BAD_LABEL, "label_mix.weight " + weight + " is outside [0, 1]");
    }
    return HardLabel.mixed(label, second, weight);
  }

  private static int checkClass(String field, int value, int outputSize)
      throws LabelRejectedException {
    if (value < 0 || value >= outputSize) {
      throw new LabelRejectedException(
          SkipReason.BAD_LABEL, field + " " + value + " is outside 0.." + (outputSize - 1));
    }
    return value;
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

  private static float[] input(SoftLabelEvent event) throws LabelRejectedException {
    if (!event.getInput().hasTensor()) {
      throw new LabelRejectedException(
          SkipReason.BAD_INPUT, "input is " + event.getInput().getKindCase() + ", not a tensor");
    }
    Tensor tensor = event.getInput().getTensor();
    long size = 1;
    for (long d : tensor.getShapeList()) {
      if (d <= 0) {
        throw new LabelRejectedException(
            SkipReason.BAD_INPUT, "input shape " + tensor.getShapeList() + " has a dimension <= 0");
      }
      size *= d;
    }
    if (tensor.getShapeCount() == 0 || size != tensor.getValuesCount()) {
      throw new LabelRejectedException(
          SkipReason.BAD_INPUT,
          "input has "
              + tensor.getValuesCount()
              + " values but shape "
              + tensor.getShapeList()
              + " needs "
              + size);
    }
    float[] values = new float[tensor.getValuesCount()];
    for (int i = 0; i < values.length; i++) {
      float v = tensor.getValues(i);
      if (!Float.isFinite(v)) {
        throw new LabelRejectedException(SkipReason.BAD_INPUT, "input value " + i + " is " + v);
      }
      values[i] = v;
    }
    return values;
  }

  private static SparseDistribution distribution(SoftLabelEvent event, int outputSize)
      throws LabelRejectedException {
    List<SparseDistribution> decoded;
    try {
      decoded = SparseCodec.decode(event.getDistributions().toByteArray(), 1);
    } catch (IllegalArgumentException e) {
      throw new LabelRejectedException(SkipReason.BAD_DISTRIBUTION, e.getMessage());
    }
    SparseDistribution d = decoded.get(0);
    if (d.getIdsCount() == 0) {
      throw new LabelRejectedException(SkipReason.BAD_DISTRIBUTION, "distribution has no entries");
    }
    if (!(d.getTailMass() >= 0 && d.getTailMass() <= 1)) {
      throw new LabelRejectedException(
          SkipReason.BAD_DISTRIBUTION, "tail_mass " + d.getTailMass() + " is outside [0, 1]");
    }
    for (float logProb : d.getLogProbsList()) {
      if (Float.isNaN(logProb) || logProb > 1e-3f) {
        throw new LabelRejectedException(
            SkipReason.BAD_DISTRIBUTION, "log_prob " + logProb + " is not a log-probability");
      }
    }
    for (int id : d.getIdsList()) {
      if (id >= outputSize) {
        throw new LabelRejectedException(
            SkipReason.BAD_DISTRIBUTION,
            "distribution id " + id + " is outside the card's output size " + outputSize);
      }
    }
    return d;
  }
}
