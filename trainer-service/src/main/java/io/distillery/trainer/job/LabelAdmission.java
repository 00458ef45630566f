package io.distillery.trainer.job;

import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.labels.LabelRejectedException;
import io.distillery.trainer.labels.SkipReason;
import io.distillery.trainer.labels.SoftLabel;
import java.util.Arrays;
import java.util.List;

/**
 * The job-level checks of a decoded label, on the training thread: the filters, then — for the
 * first label that passes them — the compatibility of teacher and student, which fails the job, and
 * for every later label the same facts, which skip just that label.
 */
public final class LabelAdmission {

  private static final float TEMPERATURE_TOLERANCE = 1e-4f;

  private final JobSpec spec;
  private final NetworkSpec network;
  private final boolean storedTargets;
  private boolean checked;

  /**
   * @param spec the job
   * @param storedTargets whether the labels' own distributions are trained on (offline); online
   *     jobs use only their inputs and labels
   */
  public LabelAdmission(JobSpec spec, boolean storedTargets) {
    this.spec = spec;
    this.network = spec.network();
    this.storedTargets = storedTargets;
  }

  /**
   * Admits a label, possibly re-expressed at the job's temperature.
   *
   * @throws LabelRejectedException when this label is skipped
   * @throws IncompatibleJobException when the first admissible label shows that the job cannot
   *     train on this log
   */
  public SoftLabel admit(SoftLabel label) throws LabelRejectedException, IncompatibleJobException {
    TeacherCard card = label.teacher();
    if (spec.teacherFilter().isPresent() && !spec.teacherFilter().get().equals(card.getModelId())) {
      throw new LabelRejectedException(
          SkipReason.FILTERED_TEACHER, "teacher " + card.getModelId() + " is filtered out");
    }
    if (spec.datasetFilter().isPresent() && !spec.datasetFilter().get().equals(label.dataset())) {
      throw new LabelRejectedException(
          SkipReason.FILTERED_DATASET, "dataset " + label.dataset() + " is filtered out");
    }
    if (!checked) {
      checkCompatibility(label);
      checked = true;
    }
    NetworkSpec student = network;
    if (storedTargets && card.getOutputSize() != student.outputSize()) {
      throw new LabelRejectedException(
          SkipReason.WRONG_OUTPUT_SIZE,
          "teacher "
              + describe(card)
              + " has output size "
              + card.getOutputSize()
              + ", the student "
              + student.outputSize());
    }
    if (label.input().length != student.sampleSize()) {
      throw new LabelRejectedException(
          SkipReason.WRONG_INPUT_SIZE,
          "input has "
              + label.input().length
              + " values, the student takes "
              + student.sampleSize()
              + " "
              + Arrays.toString(student.sampleShape()));
    }
    int largestClass = Math.max(label.label(), label.truth().secondLabel());
    if (largestClass >= student.outputSize()) {
      throw new LabelRejectedException(
          SkipReason.BAD_LABEL,
          "label "
              + largestClass
              + " is outside the student's "
              + student.outputSize()
              + " classes");
    }
    if (!storedTargets || sameTemperature(label.temperature())) {
      return label;
    }
    if (label.distribution().getIdsCount() < student.outputSize()) {
      throw new LabelRejectedException(SkipReason.TEMPERATURE_MISMATCH, temperatureMessage(label));
    }
    return new SoftLabel(
        label.partition(),
        label.offset(),
        label.promptId(),
        label.dataset(),
        label.input(),
        label.inputShape(),
        label.truth(),
        card,
        spec.loss().temperature(),
        SoftTargets.retemper(
            label.distribution(),
            student.outputSize(),
            label.temperature(),
            spec.loss().temperature()));
  }

  private void checkCompatibility(SoftLabel label) throws IncompatibleJobException {
    TeacherCard card = label.teacher();
    NetworkSpec student = network;
    if (storedTargets) {
      String problem = CardCheck.problem(card, student);
      if (problem != null) {
        throw new IncompatibleJobException(
            "job " + spec.jobId() + " cannot train on " + spec.topic() + ": " + problem);
      }
    }
    if (label.input().length != student.sampleSize()) {
      throw new IncompatibleJobException(
          "job "
              + spec.jobId()
              + ": the first label's input has shape "
              + Arrays.toString(label.inputShape())
              + " ("
              + label.input().length
              + " values) but student "
              + student.name()
              + " takes "
              + Arrays.toString(student.sampleShape())
              + " ("
              + student.sampleSize()
              + " values)");
    }
    if (storedTargets
        && !sameTemperature(label.temperature())
        && label.distribution().getIdsCount() < student.outputSize()) {
      throw new IncompatibleJobException(
          "job "
              + spec.jobId()
              + ": "
              + temperatureMessage(label)
              + "; relabel at the job's temperature, keep all classes (top-k 0), or set"
              + " distillery.trainer.loss.temperature="
              + label.temperature());
    }
  }

  private boolean sameTemperature(float labelTemperature) {
    return Math.abs(labelTemperature - spec.loss().temperature()) <= TEMPERATURE_TOLERANCE;
  }

  private String temperatureMessage(SoftLabel label) {
    return "labels of teacher "
        + describe(label.teacher())
        + " are at T="
        + label.temperature()
        + " with top-"
        + label.distribution().getIdsCount()
        + " of "
        + spec.network().outputSize()
        + " classes, the job trains at T="
        + spec.loss().temperature()
        + " (a tail cannot be re-tempered)";
  }

  static String describe(TeacherCard card) {
    return card.getModelId() + " " + card.getVersion();
  }

  /** The teacher card against the student: the facts both sides must agree on. */
  public static final class CardCheck {
    private CardCheck() {}

    /** What is incompatible, naming both sides, or null when the student fits the card. */
    public static String problem(TeacherCard card, NetworkSpec student) {
      if (card.getTask() == Task.TASK_CAUSAL_LM) {
        return "teacher "
            + describe(card)
            + " is a causal LM, student "
            + student.name()
            + " a classifier";
      }
      if (card.getOutputSize() != student.outputSize()) {
        return "teacher "
            + describe(card)
            + " has output size "
            + card.getOutputSize()
            + " but student "
            + student.name()
            + " has output size "
            + student.outputSize();
      }
      List<Long> shape = Arrays.stream(student.sampleShape()).boxed().toList();
      if (card.getInputShapeCount() > 0 && !card.getInputShapeList().equals(shape)) {
        return "teacher "
            + describe(card)
            + " takes input shape "
            + card.getInputShapeList()
            + " but student "
            + student.name()
            + " takes "
            + shape;
      }
      return null;
    }
  }
}
