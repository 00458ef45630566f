package io.distillery.models.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The checkpointable Adam takes DJL Adam's steps and resumes exactly from saved state. Plain JUnit:
 * a tiny MLP on the PyTorch engine, no service involved.
 */
class ResumableAdamTest {

  private static final NetworkSpec NET = Networks.mlp(new long[] {6}, new int[] {6, 5, 3}, 0f);
  private static final int BATCH = 8;

  @Test
  void takesTheSameStepsAsDjlsAdam() throws Exception {
    byte[] initial = initialParameters();
    float[] ours =
        train(initial, null, () -> ResumableAdam.builder().learningRate(0.01f).build(), 6);
    float[] djl =
        train(
            initial,
            null,
            () -> Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build(),
            6);

    assertArrayEquals(djl, ours, 1e-6f);
    float[] untouched = train(initial, null, () -> ResumableAdam.builder().build(), 0);
    float moved = 0;
    for (int i = 0; i < ours.length; i++) {
      moved = Math.max(moved, Math.abs(ours[i] - untouched[i]));
    }
    assertTrue(moved > 0.01f, "six steps move the parameters, largest change " + moved);
  }

  @Test
  void resumingFromSavedStateContinuesExactlyAsAnUninterruptedRun() throws Exception {
    byte[] initial = initialParameters();
    float[] uninterrupted =
        train(initial, null, () -> ResumableAdam.builder().learningRate(0.01f).build(), 8);

    Snapshot half = snapshot(initial, 4);
    float[] resumed =
        train(
            half.parameters,
            half.adamState,
            () -> ResumableAdam.builder().learningRate(0.01f).build(),
            4,
            4);
    float[] freshState =
        train(
            half.parameters, null, () -> ResumableAdam.builder().learningRate(0.01f).build(), 4, 4);

    assertArrayEquals(uninterrupted, resumed, 1e-6f);
    float gap = 0;
    for (int i = 0; i < resumed.length; i++) {
      gap = Math.max(gap, Math.abs(freshState[i] - uninterrupted[i]));
    }
    assertTrue(gap > 1e-4f, "restarting Adam from zero moments takes other steps, gap " + gap);
  }

  @Test
  void stateOfAnotherNetworkIsRefusedNamingTheParameter() throws Exception {
    Snapshot half = snapshot(initialParameters(), 2);
    NetworkSpec other = Networks.mlp(new long[] {6}, new int[] {6, 7, 3}, 0f);
    try (Model model = Model.newInstance("other", Device.cpu(), "PyTorch")) {
      model.setBlock(other.newBlock());
      model
          .getBlock()
          .initialize(
              model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, other.inputShape(1));
      ResumableAdam adam = ResumableAdam.builder().build();
      MalformedModelException e =
          assertThrows(
              MalformedModelException.class,
              () -> adam.restore(model.getBlock(), new ByteArrayInputStream(half.adamState)));
      assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }
  }

  private record Snapshot(byte[] parameters, byte[] adamState) {}

  private static Snapshot snapshot(byte[] initial, int steps) throws Exception {
    try (Model model = Model.newInstance("mlp", Device.cpu(), "PyTorch")) {
      model.setBlock(NET.newBlock());
      ResumableAdam adam = ResumableAdam.builder().learningRate(0.01f).build();
      try (Trainer trainer = trainer(model, adam, initial)) {
        adam.bind(model.getBlock());
        runSteps(trainer, 0, steps);
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        model.getBlock().saveParameters(new DataOutputStream(params));
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        adam.save(state);
        assertEquals(steps, adam.steps());
        return new Snapshot(params.toByteArray(), state.toByteArray());
      }
    }
  }

  private static float[] train(
      byte[] parameters, byte[] adamState, Supplier<Optimizer> optimizer, int steps)
      throws Exception {
    return train(parameters, adamState, optimizer, 0, steps);
  }

  /** Trains from the given parameters on batches firstBatch.., returns all parameters flat. */
  private static float[] train(
      byte[] parameters, byte[] adamState, Supplier<Optimizer> optimizer, int firstBatch, int steps)
      throws Exception {
    try (Model model = Model.newInstance("mlp", Device.cpu(), "PyTorch")) {
      model.setBlock(NET.newBlock());
      Optimizer opt = optimizer.get();
      try (Trainer trainer = trainer(model, opt, parameters)) {
        if (adamState != null) {
          ((ResumableAdam) opt).restore(model.getBlock(), new ByteArrayInputStream(adamState));
        }
        runSteps(trainer, firstBatch, steps);
        float[] all = new float[0];
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
          float[] values = p.getValue().getArray().toFloatArray();
          float[] joined = new float[all.length + values.length];
          System.arraycopy(all, 0, joined, 0, all.length);
          System.arraycopy(values, 0, joined, all.length, values.length);
          all = joined;
        }
        return all;
      }
    }
  }

  private static Trainer trainer(Model model, Optimizer optimizer, byte[] parameters)
      throws IOException, MalformedModelException {
    // Parameters are loaded before the trainer exists: Trainer.initialize caches the block's
    // arrays in its ParameterStore, so arrays loaded afterwards would never be trained.
    model
        .getBlock()
        .loadParameters(
            model.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameters)));
    Trainer trainer =
        model.newTrainer(
            new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer)
                .optDevices(new Device[] {Device.cpu()}));
    trainer.initialize(NET.inputShape(BATCH));
    return trainer;
  }

  private static void runSteps(Trainer trainer, int firstBatch, int steps) {
    for (int s = firstBatch; s < firstBatch + steps; s++) {
      Random random = new Random(100 + s);
      float[] x = new float[BATCH * 6];
      float[] y = new float[BATCH];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      for (int i = 0; i < BATCH; i++) {
        y[i] = random.nextInt(3);
      }
      try (NDManager batch = trainer.getManager().newSubManager()) {
        NDArray input = batch.create(x, new Shape(BATCH, 6));
        try (GradientCollector collector = trainer.newGradientCollector()) {
          NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
          collector.backward(
              trainer.getLoss().evaluate(new NDList(batch.create(y)), new NDList(logits)));
        }
        trainer.step();
      }
    }
  }

  private static byte[] initialParameters() throws Exception {
    try (Model model = Model.newInstance("mlp", Device.cpu(), "PyTorch")) {
      model.setBlock(NET.newBlock());
      model
          .getBlock()
          .initialize(
              model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, NET.inputShape(1));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.getBlock().saveParameters(new DataOutputStream(out));
      return out.toByteArray();
    }
  }
}
