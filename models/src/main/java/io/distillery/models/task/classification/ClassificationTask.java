package io.distillery.models.task.classification;

import io.distillery.models.loss.HardLabel;
import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.Example;
import io.distillery.models.task.ExampleInput;
import io.distillery.models.task.InvalidExampleException;
import io.distillery.models.task.InvalidExampleException.Problem;
import io.distillery.models.task.TrainingBatch;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Classification: a dense tensor in, one distribution over classes out. */
public final class ClassificationTask implements DistillationTask {

  @Override
  public Task kind() {
    return Task.TASK_CLASSIFICATION;
  }

  @Override
  public String name() {
    return "classification";
  }

  @Override
  public Example decode(SoftLabelEvent event, int outputSize) throws InvalidExampleException {
    if (event.getPositions() != 1) {
      throw new InvalidExampleException(
          Problem.WRONG_POSITIONS,
          "positions is " + event.getPositions() + ", a classification label has exactly 1");
    }
    ExampleInput.Dense input = input(event);
    SparseDistribution distribution = distribution(event, outputSize);
    return new Example(input, List.of(distribution), List.of(truth(event, outputSize)));
  }

  @Override
  public Optional<String> incompatibility(TeacherCard card, NetworkSpec student) {
    if (card.getTask() != Task.TASK_CLASSIFICATION && card.getTask() != Task.TASK_UNSPECIFIED) {
      return Optional.of(
          "teacher "
              + describe(card)
              + " is a "
              + card.getTask()
              + " model, student "
              + student.name()
              + " a classifier");
    }
    if (card.getOutputSize() != student.outputSize()) {
      return Optional.of(
          "teacher "
              + describe(card)
              + " has output size "
              + card.getOutputSize()
              + " but student "
              + student.name()
              + " has output size "
              + student.outputSize());
    }
    List<Long> shape = Arrays.stream(student.sampleShape()).boxed().toList();
    if (card.getInputShapeCount() > 0 && !card.getInputShapeList().equals(shape)) {
      return Optional.of(
          "teacher "
              + describe(card)
              + " takes input shape "
              + card.getInputShapeList()
              + " but student "
              + student.name()
              + " takes "
              + shape);
    }
    return Optional.empty();
  }

  @Override
  public Optional<String> inputProblem(Example example, NetworkSpec student) {
    if (!(example.input() instanceof ExampleInput.Dense dense)) {
      return Optional.of("input is token ids, student " + student.name() + " takes a tensor");
    }
    if (dense.values().length != student.sampleSize()) {
      return Optional.of(
          "input has shape "
              + Arrays.toString(dense.shape())
              + " ("
              + dense.values().length
              + " values) but student "
              + student.name()
              + " takes "
              + Arrays.toString(student.sampleShape())
              + " ("
              + student.sampleSize()
              + " values)");
    }
    return Optional.empty();
  }

  @Override
  public TrainingBatch batch(List<Example> examples, NetworkSpec student, boolean withSoft) {
    int n = examples.size();
    int sampleSize = student.sampleSize();
    int classes = student.outputSize();
    float[] inputs = new float[n * sampleSize];
    SoftTargets.Builder soft = withSoft ? SoftTargets.builder(classes, n) : null;
    HardTargets.Builder hard = HardTargets.builder(classes, n);
    for (int i = 0; i < n; i++) {
      Example example = examples.get(i);
      float[] values = ((ExampleInput.Dense) example.input()).values();
      System.arraycopy(values, 0, inputs, i * sampleSize, sampleSize);
      if (soft != null) {
        soft.add(example.positions().get(0));
      }
      hard.add(example.truths().get(0));
    }
    return new TrainingBatch(
        new DenseInputs(inputs, n, student), soft == null ? null : soft.build(), hard.build());
  }

  static String describe(TeacherCard card) {
    return card.getModelId() + " " + card.getVersion();
  }

  private static ExampleInput.Dense input(SoftLabelEvent event) throws InvalidExampleException {
    if (!event.getInput().hasTensor()) {
      throw new InvalidExampleException(
          Problem.BAD_INPUT, "input is " + event.getInput().getKindCase() + ", not a tensor");
    }
    Tensor tensor = event.getInput().getTensor();
    long size = 1;
    long[] shape = new long[tensor.getShapeCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = tensor.getShape(i);
      if (shape[i] <= 0) {
        throw new InvalidExampleException(
            Problem.BAD_INPUT, "input shape " + tensor.getShapeList() + " has a dimension <= 0");
      }
      size *= shape[i];
    }
    if (shape.length == 0 || size != tensor.getValuesCount()) {
      throw new InvalidExampleException(
          Problem.BAD_INPUT,
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
        throw new InvalidExampleException(Problem.BAD_INPUT, "input value " + i + " is " + v);
      }
      values[i] = v;
    }
    return new ExampleInput.Dense(values, shape);
  }

  private static SparseDistribution distribution(SoftLabelEvent event, int outputSize)
      throws InvalidExampleException {
    List<SparseDistribution> decoded;
    try {
      decoded =
          SparseCodec.decode(
              event.getDistributions().toByteArray(),
              1,
              SparseCodec.Format.of(event.getDistributionsFormat()));
    } catch (IllegalArgumentException e) {
      throw new InvalidExampleException(Problem.BAD_DISTRIBUTION, e.getMessage());
    }
    SparseDistribution d = decoded.get(0);
    io.distillery.models.task.Distributions.check(d, outputSize);
    return d;
  }

  private static HardLabel truth(SoftLabelEvent event, int outputSize)
      throws InvalidExampleException {
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
      throw new InvalidExampleException(
          Problem.BAD_LABEL, "label_mix.weight " + weight + " is outside [0, 1]");
    }
    return HardLabel.mixed(label, second, weight);
  }

  private static int checkClass(String field, int value, int outputSize)
      throws InvalidExampleException {
    if (value < 0 || value >= outputSize) {
      throw new InvalidExampleException(
          Problem.BAD_LABEL, field + " " + value + " is outside 0.." + (outputSize - 1));
    }
    return value;
  }
}
