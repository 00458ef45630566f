package io.distillery.models.lm;

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
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.models.runtime.OwnedArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CausalLmTest {
  private static final LmSpec TINY = LmSpec.of(11, 8, 2, 8, 2, 16);

  @Test
  void specSerialisesToJsonForTheTeacherCard() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(LmSpec.of(512, 128, 4, 128, 4, 512));
    assertEquals(
        "{\"family\":\"decoder-transformer\",\"vocab_size\":512,\"context_length\":128,\"layers\":4,"
            + "\"width\":128,\"heads\":4,\"mlp_width\":512}",
        text);
    assertEquals(LmSpec.of(512, 128, 4, 128, 4, 512), json.readValue(text, LmSpec.class));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LmSpec.of(512, 128, 4, 130, 4, 512));
    assertTrue(
        e.getMessage().contains("width must be a positive multiple of heads"), e.getMessage());
  }

  @Test
  void countsItsParametersWithTheEmbeddingTied() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      CausalLm lm = new CausalLm(TINY);
      lm.initialize(manager, DataType.FLOAT32, CausalLm.inputShapes(1, 4));
      long count = 0;
      for (Parameter p : lm.getParameters().values()) {
        count += p.getArray().size();
      }
      assertEquals(TINY.parameterCount(), count);
      // 11·8 + 8·8 + 2·(32 + 8·24 + 24 + 64 + 8 + 128 + 16 + 128 + 8) + 16
      assertEquals(88 + 64 + 2 * 600 + 16, count);
    }
  }

  @Test
  void aLaterTokenNeverChangesAnEarlierPositionsLogits() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      CausalLm lm = initialised(manager, DataType.FLOAT32, 3);
      long[] ids = {1, 5, 2, 7, 3, 9};
      float[] base = logits(lm, manager, new long[][] {ids}, new long[][] {ones(6)});
      for (int changed = 1; changed < ids.length; changed++) {
        long[] other = ids.clone();
        other[changed] = (other[changed] + 4) % TINY.vocabSize();
        float[] after = logits(lm, manager, new long[][] {other}, new long[][] {ones(6)});
        int v = TINY.vocabSize();
        for (int i = 0; i < changed * v; i++) {
          assertEquals(base[i], after[i], 0f, "position " + i / v + " saw token " + changed);
        }
        boolean later = false;
        for (int i = changed * v; i < after.length; i++) {
          later |= base[i] != after[i];
        }
        assertTrue(later, "the changed token must matter from its own position on");
      }
    }
  }

  @Test
  void paddingOnEitherSideLeavesTheRealTokensLogitsAlone() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      CausalLm lm = initialised(manager, DataType.FLOAT32, 4);
      int v = TINY.vocabSize();
      long[] ids = {4, 1, 8, 2};
      float[] alone = logits(lm, manager, new long[][] {ids}, new long[][] {ones(4)});
      // Batch of three: unpadded 6 tokens, left-padded by 2, right-padded by 2 (pad id 0 and 10).
      long[][] batchIds = {{3, 3, 5, 6, 9, 1}, {0, 10, 4, 1, 8, 2}, {4, 1, 8, 2, 10, 0}};
      long[][] mask = {ones(6), {0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}};
      float[] batch = logits(lm, manager, batchIds, mask);
      for (int t = 0; t < 4; t++) {
        for (int c = 0; c < v; c++) {
          float expected = alone[t * v + c];
          assertEquals(expected, batch[(6 + 2 + t) * v + c], 1e-5f, "left-padded, token " + t);
          assertEquals(expected, batch[(12 + t) * v + c], 1e-5f, "right-padded, token " + t);
        }
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      CausalLm lm = initialised(manager, DataType.FLOAT64, 5);
      long[][] ids = {{1, 5, 2, 7, 3}, {0, 0, 9, 4, 6}};
      long[][] mask = {ones(5), {0, 0, 1, 1, 1}};
      long[][] targets = {{5, 2, 7, 3, 8}, {0, 0, 4, 6, 10}};
      double[][] weights = {{1, 1, 1, 1, 1}, {0, 0, 1, 1, 1}};
      // One backward pass for all parameters: DJL's collector accumulates, it does not zero.
      java.util.Map<String, double[]> analytic = new java.util.HashMap<>();
      try (NDManager step = manager.newSubManager();
          GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray loss = loss(lm, step, new ParameterStore(step, false), ids, mask, targets, weights);
        collector.backward(loss);
        for (Parameter parameter : lm.getParameters().values()) {
          analytic.put(parameter.getId(), parameter.getArray().getGradient().toDoubleArray());
        }
      }
      Random random = new Random(11);
      int checked = 0;
      double worst = 0;
      for (Parameter parameter : lm.getParameters().values()) {
        NDArray value = parameter.getArray();
        double[] gradient = analytic.get(parameter.getId());
        for (int k = 0; k < 3; k++) {
          int index = random.nextInt((int) value.size());
          double eps = 1e-6;
          double plus =
              perturbedLoss(lm, manager, parameter, index, eps, ids, mask, targets, weights);
          double minus =
              perturbedLoss(lm, manager, parameter, index, -eps, ids, mask, targets, weights);
          double numeric = (plus - minus) / (2 * eps);
          // Relative error; gradients that are zero in theory (e.g. of the key bias: softmax
          // ignores a constant shift) are compared on the scale of 1e-3.
          double error =
              Math.abs(numeric - gradient[index])
                  / Math.max(1e-3, Math.abs(numeric) + Math.abs(gradient[index]));
          worst = Math.max(worst, error);
          assertTrue(
              error < 1e-5,
              parameter.getName()
                  + "["
                  + index
                  + "]: autograd "
                  + gradient[index]
                  + ", finite differences "
                  + numeric);
          checked++;
        }
      }
      assertEquals(3 * lm.getParameters().size(), checked);
      assertTrue(worst < 1e-5, "worst relative error " + worst);
    }
  }

  @Test
  void trainsWithDjlsTrainerAndLearnsARepeatingSequence() {
    LmSpec spec = LmSpec.of(11, 8, 1, 16, 2, 32);
    try (Model model = Model.newInstance("lm", Device.cpu(), "PyTorch")) {
      Engine.getEngine("PyTorch").setRandomSeed(3);
      model.setBlock(new CausalLm(spec));
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(new CausalLmLoss())
              .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
              .optDevices(new Device[] {Device.cpu()});
      long[] stream = new long[64];
      for (int i = 0; i < stream.length; i++) {
        stream[i] = (i * 3) % 7 + 1; // a cycle the model can learn: 1 4 7 3 6 2 5 1 ...
      }
      List<Float> losses = new ArrayList<>();
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(CausalLm.inputShapes(4, 8));
        Random random = new Random(1);
        int managed = -1;
        for (int step = 0; step < 60; step++) {
          try (NDManager batch = trainer.getManager().newSubManager()) {
            long[] x = new long[4 * 8];
            long[] y = new long[4 * 8];
            for (int b = 0; b < 4; b++) {
              int start = random.nextInt(stream.length - 9);
              System.arraycopy(stream, start, x, b * 8, 8);
              System.arraycopy(stream, start + 1, y, b * 8, 8);
            }
            NDArray ids = OwnedArrays.own(batch.create(x, new Shape(4, 8)), DataType.INT64);
            NDArray mask = batch.ones(new Shape(4, 8), DataType.INT64);
            NDArray labels = OwnedArrays.own(batch.create(y, new Shape(4, 8)), DataType.INT64);
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray logits = trainer.forward(new NDList(ids, mask)).singletonOrThrow();
              NDArray loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(logits));
              collector.backward(loss);
              losses.add(loss.getFloat());
            }
            trainer.step();
          }
          int now = model.getNDManager().getManagedArrays().size();
          if (step == 5) {
            managed = now;
          } else if (step > 5) {
            assertEquals(managed, now, "a training step left arrays on the model's manager");
          }
        }
      }
      assertTrue(losses.get(0) > 2.0f, "starts near ln(11) = 2.4: " + losses.get(0));
      assertTrue(losses.get(losses.size() - 1) < 0.3f, "learns the cycle: " + losses);
    }
  }

  private static double perturbedLoss(
      CausalLm lm,
      NDManager manager,
      Parameter parameter,
      int index,
      double eps,
      long[][] ids,
      long[][] mask,
      long[][] targets,
      double[][] weights) {
    try (NDManager step = manager.newSubManager()) {
      NDArray original = parameter.getArray();
      double[] values = original.toDoubleArray();
      values[index] += eps;
      NDArray perturbed = step.create(values, original.getShape());
      ParameterStore store =
          new ParameterStore(step, false) {
            @Override
            public NDArray getValue(Parameter p, Device device, boolean training) {
              return p == parameter ? perturbed : super.getValue(p, device, training);
            }
          };
      return loss(lm, step, store, ids, mask, targets, weights).getDouble();
    }
  }

  private static NDArray loss(
      CausalLm lm,
      NDManager manager,
      ParameterStore store,
      long[][] ids,
      long[][] mask,
      long[][] targets,
      double[][] weights) {
    NDArray x = OwnedArrays.own(manager.create(ids), DataType.INT64);
    NDArray m = OwnedArrays.own(manager.create(mask), DataType.INT64);
    NDArray y = OwnedArrays.own(manager.create(targets), DataType.INT64);
    NDArray w = OwnedArrays.own(manager.create(weights), DataType.FLOAT64);
    NDArray logits = lm.forward(store, new NDList(x, m), true).singletonOrThrow();
    return new CausalLmLoss().evaluate(new NDList(y, w), new NDList(logits));
  }

  private static CausalLm initialised(NDManager manager, DataType type, int seed) {
    Engine.getEngine("PyTorch").setRandomSeed(seed);
    CausalLm lm = new CausalLm(TINY);
    lm.setInitializer(
        new ai.djl.training.initializer.NormalInitializer(0.3f), Parameter.Type.WEIGHT);
    lm.initialize(manager, type, CausalLm.inputShapes(1, 4));
    return lm;
  }

  private static float[] logits(CausalLm lm, NDManager manager, long[][] ids, long[][] mask) {
    try (NDManager batch = manager.newSubManager()) {
      NDList out =
          lm.forward(
              new ParameterStore(batch, false),
              new NDList(batch.create(ids), batch.create(mask)),
              false);
      return out.singletonOrThrow().toFloatArray();
    }
  }

  private static long[] ones(int n) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }
}
