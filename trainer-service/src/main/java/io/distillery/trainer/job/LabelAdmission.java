package io.distillery.trainer.job;

import io.distillery.models.loss.HardLabel;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.Example;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.trainer.labels.LabelRejectedException;
import io.distillery.trainer.labels.SkipReason;
import io.distillery.trainer.labels.SoftLabel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The job-level checks of a decoded label, on the training thread: the filters, then — for the
 * first label that passes them — the compatibility of teacher and student, which fails the job, and
 * for every later label the same facts, which skip just that label.
 */
public final class LabelAdmission {

  private static final float TEMPERATURE_TOLERANCE = 1e-4f;

  private final JobSpec spec;
  private final DistillationTask task;
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
    this.task = spec.task();
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
    Optional<String> inputProblem = task.inputProblem(label.example(), student);
    if (inputProblem.isPresent()) {
      throw new LabelRejectedException(SkipReason.WRONG_INPUT_SIZE, inputProblem.get());
    }
    int largestClass = largestClass(label.example());
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
    if (keptEntries(label) < student.outputSize()) {
      throw new LabelRejectedException(SkipReason.TEMPERATURE_MISMATCH, temperatureMessage(label));
    }
    List<SparseDistribution> retempered = new ArrayList<>(label.example().positions().size());
    for (SparseDistribution position : label.example().positions()) {
      retempered.add(
          SoftTargets.retemper(
              position, student.outputSize(), label.temperature(), spec.loss().temperature()));
    }
    return label.with(label.example().withPositions(retempered), spec.loss().temperature());
  }

  /** The fewest entries any position of the label keeps. */
  private static int keptEntries(SoftLabel label) {
    int fewest = Integer.MAX_VALUE;
    for (SparseDistribution position : label.example().positions()) {
      fewest = Math.min(fewest, position.getIdsCount());
    }
    return fewest;
  }

  private static int largestClass(Example example) {
    int largest = -1;
    for (HardLabel truth : example.truths()) {
      largest = Math.max(largest, Math.max(truth.label(), truth.secondLabel()));
    }
    return largest;
  }

  private void checkCompatibility(SoftLabel label) throws IncompatibleJobException {
    TeacherCard card = label.teacher();
    NetworkSpec student = network;
    if (storedTargets) {
      Optional<String> problem = task.incompatibility(card, student);
      if (problem.isPresent()) {
        throw new IncompatibleJobException(
            "job " + spec.jobId() + " cannot train on " + spec.topic() + ": " + problem.get());
      }
    }
    Optional<String> inputProblem = task.inputProblem(label.example(), student);
    if (inputProblem.isPresent()) {
      throw new IncompatibleJobException(
          "job " + spec.jobId() + ": the first label's " + inputProblem.get());
    }
    if (storedTargets
        && !sameTemperature(label.temperature())
        && keptEntries(label) < student.outputSize()) {
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
        + keptEntries(label)
        + " of "
        + spec.network().outputSize()
        + " classes, the job trains at T="
        + spec.loss().temperature()
        + " (a tail cannot be re-tempered)";
  }

  static String describe(TeacherCard card) {
    return card.getModelId() + " " + card.getVersion();
  }
}
