package io.distillery.models.student;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.DistillationTasks;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Students as checkpoints carry them: a {@link StudentSpec} that rebuilds the network through its
 * {@link StudentFamily} and a {@value #PARAMS_FILE} holding its parameters in DJL's format.
 */
public final class StudentModels {

  /** The parameter file's name inside a checkpoint. */
  public static final String PARAMS_FILE = "student.params";

  /** DJL engine that trains students: the only DJL engine that trains. */
  public static final String ENGINE = "PyTorch";

  private StudentModels() {}

  /** The families a student can belong to, by name. */
  private static final Map<String, StudentFamily> FAMILIES =
      Map.of(
          MlpFamily.NAME,
          new MlpFamily(),
          CnnFamily.NAME,
          new CnnFamily(),
          TransformerFamily.NAME,
          new TransformerFamily());

  /**
   * An MLP student, e.g. {@code mlp(List.of(1L, 28L, 28L), List.of(256, 256), 10, 0)} for
   * 784-256-256-10.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static StudentSpec mlp(
      List<Long> inputShape, List<Integer> hiddenSizes, int outputSize, float dropout) {
    return named(
        StudentSpec.newBuilder()
            .setFamily(MlpFamily.NAME)
            .addAllInputShape(inputShape)
            .addAllHiddenSizes(hiddenSizes)
            .setOutputSize(outputSize)
            .setDropout(dropout));
  }

  /**
   * A CNN student: 3×3 conv-ReLU-pool stages with these channels, then dense hidden layers.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static StudentSpec cnn(
      List<Long> inputShape,
      List<Integer> convChannels,
      List<Integer> hiddenSizes,
      int outputSize,
      float dropout) {
    return named(
        StudentSpec.newBuilder()
            .setFamily(CnnFamily.NAME)
            .addAllInputShape(inputShape)
            .addAllConvChannels(convChannels)
            .addAllHiddenSizes(hiddenSizes)
            .setOutputSize(outputSize)
            .setDropout(dropout));
  }

  /**
   * A decoder-only transformer student for causal language modelling, sharing its teacher's
   * tokenizer.
   *
   * @param vocabSize the teacher's vocabulary size
   * @param contextLength longest sequence (learned positions)
   * @param layers decoder blocks
   * @param width model width, a multiple of {@code heads}
   * @param heads attention heads
   * @param mlpWidth hidden width of each block's MLP; 0 for 4 × width
   * @param tokenizerSha256 sha256 of the teacher's tokenizer.json; empty to accept any of the
   *     vocabulary size
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static StudentSpec transformer(
      int vocabSize,
      int contextLength,
      int layers,
      int width,
      int heads,
      int mlpWidth,
      String tokenizerSha256) {
    return named(
        StudentSpec.newBuilder()
            .setFamily(TransformerFamily.NAME)
            .setOutputSize(vocabSize)
            .setContextLength(contextLength)
            .setLayers(layers)
            .setWidth(width)
            .setHeads(heads)
            .setMlpWidth(mlpWidth)
            .setTokenizerSha256(tokenizerSha256 == null ? "" : tokenizerSha256));
  }

  /** Validates a spec by building its network, and records the network's name. */
  private static StudentSpec named(StudentSpec.Builder spec) {
    return spec.setArchitecture(network(spec.build()).name()).build();
  }

  /** The family names a spec may give, e.g. for error messages and configuration docs. */
  public static List<String> families() {
    return FAMILIES.keySet().stream().sorted().toList();
  }

  /**
   * The network a spec describes, rebuilt from its family's fields (the single source of truth). A
   * spec without a family (checkpoints written before families existed) is rebuilt from its
   * architecture name.
   *
   * @throws IllegalArgumentException when the family is unknown or a field is wrong, naming it
   */
  public static NetworkSpec network(StudentSpec spec) {
    if (spec.getFamily().isEmpty()) {
      return Networks.byName(spec.getArchitecture());
    }
    return family(spec).network(spec);
  }

  /**
   * The task a student learns, from its family (specs without one are classifiers).
   *
   * @throws IllegalArgumentException when the family is unknown, naming it
   */
  public static DistillationTask task(StudentSpec spec) {
    return DistillationTasks.of(
        spec.getFamily().isEmpty() ? Task.TASK_CLASSIFICATION : family(spec).task());
  }

  private static StudentFamily family(StudentSpec spec) {
    StudentFamily family = FAMILIES.get(spec.getFamily());
    if (family == null) {
      throw new IllegalArgumentException(
          "student.family '" + spec.getFamily() + "' is unknown, expected one of " + families());
    }
    return family;
  }

  /** The spec with its trainable parameter count, as a checkpoint records it. */
  public static StudentSpec withParameterCount(StudentSpec spec, long parameterCount) {
    return spec.toBuilder().setParameterCount(parameterCount).build();
  }

  /** Writes a trained block's parameters. */
  public static void writeParameters(Block block, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    block.saveParameters(data);
    data.flush();
  }

  /**
   * Rebuilds a student on the PyTorch engine and loads its parameters, for inference.
   *
   * @throws MalformedModelException when the parameters do not fit the spec's network
   */
  public static Model load(StudentSpec spec, InputStream parameters)
      throws IOException, MalformedModelException {
    NetworkSpec network = network(spec);
    Model model = Model.newInstance("student-" + network.name(), Device.cpu(), ENGINE);
    try {
      model.setBlock(network.newBlock());
      model.getBlock().loadParameters(model.getNDManager(), new DataInputStream(parameters));
      // Grad mode is per thread in PyTorch; frozen parameters record no autograd graph.
      model.getBlock().freezeParameters(true);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
