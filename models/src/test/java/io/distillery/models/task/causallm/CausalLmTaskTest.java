package io.distillery.models.task.causallm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.loss.DistillationLoss;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.models.task.DistillationTask;
import io.distillery.models.task.DistillationTasks;
import io.distillery.models.task.Example;
import io.distillery.models.task.ExampleInput;
import io.distillery.models.task.InvalidExampleException;
import io.distillery.models.task.TrainingBatch;
import io.distillery.models.testing.TinyLmTeacher;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The causal-LM task and the transformer student family against soft labels of an in-process
 * teacher: decoding, batching (rows = positions, padding excluded), sequence-level continuations,
 * the compatibility checks, and that token-level KD brings the student closer to the teacher than
 * hard labels at equal steps.
 */
class CausalLmTaskTest {

  private static final int VOCAB = 64;
  private static final int CONTEXT = 32;
  private static final int K = 8;
  private static TinyLmTeacher teacher;
  private static final DistillationTask TASK = DistillationTasks.of(Task.TASK_CAUSAL_LM);

  @BeforeAll
  static void teacher() {
    teacher = new TinyLmTeacher(LmSpec.of(VOCAB, CONTEXT, 2, 32, 2, 64), 11, 8f);
  }

  @AfterAll
  static void close() {
    teacher.close();
  }

  private static StudentSpec student(String tokenizer) {
    return StudentModels.transformer(VOCAB, CONTEXT, 1, 32, 2, 64, tokenizer);
  }

  @Test
  void decodesEveryPositionWithTheNextTokenAsTruth() throws Exception {
    int[] tokens = {5, 9, 3, 7};
    Example example = TASK.decode(teacher.softLabel("p", tokens, K, 1f), VOCAB);
    assertArrayEquals(tokens, ((ExampleInput.Tokens) example.input()).ids());
    assertEquals(4, example.positions().size());
    assertEquals(9, example.truths().get(0).label());
    assertEquals(7, example.truths().get(2).label());
    assertTrue(!example.truths().get(3).present(), "nothing follows the last token");
    assertEquals(K, example.positions().get(0).getIdsCount());
  }

  @Test
  void rejectsLabelsThatDoNotFit() {
    SoftLabelEvent good = teacher.softLabel("p", new int[] {1, 2, 3}, K, 1f);
    InvalidExampleException positions =
        assertThrows(
            InvalidExampleException.class,
            () -> TASK.decode(good.toBuilder().setPositions(2).build(), VOCAB));
    assertTrue(positions.getMessage().contains("positions is 2"), positions.getMessage());
    InvalidExampleException outOfVocab =
        assertThrows(InvalidExampleException.class, () -> TASK.decode(good, 3));
    assertTrue(outOfVocab.getMessage().contains("outside the vocabulary of 3"));
  }

  @Test
  void batchesRowsOfRealPositionsOnlyInTargetOrder() throws Exception {
    NetworkSpec network = StudentModels.network(student(""));
    Example longer = TASK.decode(teacher.softLabel("a", new int[] {1, 2, 3, 4, 5}, K, 1f), VOCAB);
    Example shorter = TASK.decode(teacher.softLabel("b", new int[] {6, 7}, K, 1f), VOCAB);
    TrainingBatch batch = TASK.batch(List.of(shorter, longer), network, true);
    TokenInputs inputs = (TokenInputs) batch.inputs();
    assertEquals(5, inputs.length());
    assertArrayEquals(new long[] {0, 1, 5, 6, 7, 8, 9}, inputs.rowIndex());
    assertArrayEquals(new long[] {1, 1, 0, 0, 0, 1, 1, 1, 1, 1}, inputs.mask());
    assertEquals(7, batch.soft().rows());
    assertEquals(7, batch.hard().rows());
    assertEquals(1f, batch.hard().prob(0, 7), 0f);
    assertEquals(0f, batch.hard().weight()[1], 0f); // after the shorter sequence's last token
    try (Model model = Model.newInstance("s", Device.cpu(), "PyTorch");
        NDManager manager = model.getNDManager().newSubManager()) {
      model.setBlock(network.newBlock());
      model.getBlock().initialize(manager, DataType.FLOAT32, network.inputShape(1));
      NDArray out =
          model
              .getBlock()
              .forward(
                  new ai.djl.training.ParameterStore(manager, false),
                  inputs.toNDList(manager),
                  false)
              .singletonOrThrow();
      NDArray rows = inputs.outputRows(out);
      assertEquals(new ai.djl.ndarray.types.Shape(7, VOCAB), rows.getShape());
      // Row 3 is the longer sequence's position 1: the flat row 6 of the logits.
      assertArrayEquals(
          out.reshape(-1, VOCAB).get(6).toFloatArray(), rows.get(3).toFloatArray(), 0f);
    }
  }

  @Test
  void continuationKeepsThePositionsThatPredictGeneratedTokens() throws Exception {
    int[] prompt = {3, 4, 5};
    int[] generated = teacher.greedy(prompt, 4);
    Example full = TASK.decode(teacher.softLabel("g", prompt, generated, K, 1f), VOCAB);
    assertEquals(7, full.positions().size());
    Example continuation = TASK.continuation(full);
    assertEquals(4, continuation.positions().size());
    for (int i = 0; i < 4; i++) {
      assertEquals(generated[i], continuation.truths().get(i).label());
    }
    assertEquals(2, ((ExampleInput.Tokens) continuation.input()).firstTrained());
    TrainingBatch batch =
        TASK.batch(List.of(continuation), StudentModels.network(student("")), false);
    assertArrayEquals(new long[] {2, 3, 4, 5}, ((TokenInputs) batch.inputs()).rowIndex());
    Example plain = TASK.decode(teacher.softLabel("n", prompt, K, 1f), VOCAB);
    assertThrows(InvalidExampleException.class, () -> TASK.continuation(plain));
  }

  @Test
  void aTransformerStudentIsRebuiltFromItsSpecAlone() throws Exception {
    StudentSpec spec = student(TinyLmTeacher.TOKENIZER_SHA256);
    assertEquals("transformer-1x32-h2-ctx32-v64", spec.getArchitecture());
    assertEquals(Task.TASK_CAUSAL_LM, StudentModels.task(spec).kind());
    NetworkSpec network = StudentModels.network(spec);
    long[][] ids = {{1, 2, 3, 4, 5}};
    long[][] mask = {{1, 1, 1, 1, 1}};
    byte[] saved;
    float[] expected;
    try (Model original = Model.newInstance("original", Device.cpu(), "PyTorch")) {
      original.setBlock(network.newBlock());
      original
          .getBlock()
          .initialize(original.getNDManager(), DataType.FLOAT32, network.inputShape(1));
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      StudentModels.writeParameters(original.getBlock(), out);
      saved = out.toByteArray();
      expected = new LmRunner(original).logits(ids, mask);
    }
    try (Model loaded =
        StudentModels.load(
            StudentSpec.parseFrom(spec.toByteArray()), new java.io.ByteArrayInputStream(saved))) {
      assertArrayEquals(expected, new LmRunner(loaded).logits(ids, mask), 0f);
    }
  }

  @Test
  void incompatibilityNamesBothVocabulariesAndBothTokenizers() {
    NetworkSpec otherVocab =
        StudentModels.network(StudentModels.transformer(VOCAB * 2, CONTEXT, 1, 16, 2, 0, ""));
    Optional<String> vocab = TASK.incompatibility(teacher.card(), otherVocab);
    assertTrue(vocab.orElseThrow().contains("vocabulary of 64") && vocab.get().contains("128"));
    String wrong = "ab".repeat(32);
    Optional<String> tokenizer =
        TASK.incompatibility(teacher.card(), StudentModels.network(student(wrong)));
    assertTrue(tokenizer.orElseThrow().contains(wrong), tokenizer.get());
    assertTrue(tokenizer.get().contains(TinyLmTeacher.TOKENIZER_SHA256), tokenizer.get());
    assertEquals(
        Optional.empty(),
        TASK.incompatibility(
            teacher.card(), StudentModels.network(student(TinyLmTeacher.TOKENIZER_SHA256))));
  }

  @Test
  void tokenLevelKdBeatsHardLabelsOnKlAtEqualSteps() throws Exception {
    List<int[]> train = teacher.sample(96, CONTEXT, 1);
    List<int[]> heldOut = teacher.sample(32, CONTEXT, 2);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      examples.add(TASK.decode(teacher.softLabel("t" + i, train.get(i), K, 1f), VOCAB));
    }
    int steps = 120;
    double hard =
        klAfterTraining(LossSettings.of(Divergence.FORWARD_KL, 1f, 1f), examples, heldOut, steps);
    double[] kd = new double[Divergence.values().length];
    for (Divergence divergence : Divergence.values()) {
      kd[divergence.ordinal()] =
          klAfterTraining(LossSettings.of(divergence, 1f, 0.1f), examples, heldOut, steps);
    }
    System.out.printf(
        Locale.ROOT,
        "KL(teacher||student) nats/token after %d steps: hard %.4f, %s%n",
        steps,
        hard,
        Arrays.toString(kd));
    double ratio = kd[Divergence.FORWARD_KL.ordinal()] / hard;
    System.out.printf(Locale.ROOT, "forward-kl KD / hard = %.3f%n", ratio);
    assertTrue(ratio <= 0.7, "forward-KL KD's KL is " + ratio + " of hard labels' (target 0.7)");
    for (Divergence divergence : Divergence.values()) {
      assertTrue(
          kd[divergence.ordinal()] < hard,
          divergence + " KD's KL " + kd[divergence.ordinal()] + " is not below hard's " + hard);
    }
  }

  /** Trains a fresh student (same seed, same batch order) and returns its held-out KL per token. */
  private static double klAfterTraining(
      LossSettings settings, List<Example> examples, List<int[]> heldOut, int steps)
      throws Exception {
    NetworkSpec network = StudentModels.network(student(TinyLmTeacher.TOKENIZER_SHA256));
    DistillationLoss loss = new DistillationLoss(settings);
    Tracker rate = Tracker.fixed(3e-3f);
    try (Model model = Model.newInstance("student", Device.cpu(), "PyTorch")) {
      model.setBlock(network.newBlock());
      Trainer trainer;
      synchronized (TinyLmTeacher.class) {
        Engine.getEngine("PyTorch").setRandomSeed(5);
        trainer =
            model.newTrainer(
                new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(rate).build())
                    .optDevices(new Device[] {Device.cpu()}));
        trainer.initialize(network.inputShape(1));
      }
      try (trainer) {
        int batchSize = 16;
        for (int step = 0; step < steps; step++) {
          List<Example> drawn = new ArrayList<>();
          for (int i = 0; i < batchSize; i++) {
            drawn.add(examples.get((step * batchSize + i) % examples.size()));
          }
          TrainingBatch batch = TASK.batch(drawn, network, settings.alpha() < 1);
          for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            if (p.getValue().getArray().hasGradient()) {
              JniUtils.zeroGrad((PtNDArray) p.getValue().getArray());
            }
          }
          try (NDManager manager = trainer.getManager().newSubManager()) {
            NDList labels = loss.labels(manager, batch.soft(), batch.hard(), DataType.FLOAT32);
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray rows =
                  batch
                      .inputs()
                      .outputRows(
                          trainer.forward(batch.inputs().toNDList(manager)).singletonOrThrow());
              collector.backward(loss.terms(labels, rows).total());
            }
            trainer.step();
          }
        }
      }
      return kl(new LmRunner(model), heldOut);
    }
  }

  /** Mean KL(teacher ‖ student) per token over full distributions. */
  private static double kl(LmRunner student, List<int[]> sequences) {
    double total = 0;
    long count = 0;
    for (int[] sequence : sequences) {
      float[] p = teacher.logProbs(sequence);
      long[][] ids = {Arrays.stream(sequence).asLongStream().toArray()};
      long[][] mask = new long[1][sequence.length];
      Arrays.fill(mask[0], 1);
      float[] q = student.logProbs(ids, mask, VOCAB);
      for (int t = 0; t < sequence.length; t++) {
        for (int c = 0; c < VOCAB; c++) {
          int i = t * VOCAB + c;
          total += Math.exp(p[i]) * (p[i] - q[i]);
        }
        count++;
      }
    }
    return total / count;
  }
}
