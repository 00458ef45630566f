package io.distillery.models.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LmEvaluatorTest {
  private static final LmSpec SPEC = LmSpec.of(23, 10, 1, 8, 2, 16);

  @Test
  void aUniformModelCostsLog2VocabBitsPerTokenWhateverTheWindows() {
    try (Model model = model(Initializer.ZEROS)) {
      long[] tokens = tokens(57);
      for (int stride : new int[] {1, 3, 5, 10}) {
        LmEvaluator.Result r = LmEvaluator.evaluate(model, 22, tokens, 100, stride, 4);
        assertEquals(57, r.tokens(), "every token scored once, stride " + stride);
        assertEquals(57 * Math.log(23), r.nats(), 1e-3);
        assertEquals(57 * Math.log(23) / Math.log(2) / 100, r.bitsPerByte(), 1e-5);
        assertEquals(1.754, r.bytesPerToken(), 1e-3);
      }
    }
  }

  @Test
  void scoresEveryTokenOnceForAnyStrideAndRejectsAStrideBeyondTheContext() {
    try (Model model = model(new NormalInitializer(0.3f))) {
      long[] tokens = tokens(40);
      LmEvaluator.Result overlapping = LmEvaluator.evaluate(model, 22, tokens, 80, 2, 8);
      LmEvaluator.Result disjoint = LmEvaluator.evaluate(model, 22, tokens, 80, 10, 8);
      assertEquals(40, overlapping.tokens());
      assertEquals(40, disjoint.tokens());
      // A short document fits one window: both settings score it identically.
      long[] shortDoc = tokens(9);
      assertEquals(
          LmEvaluator.evaluate(model, 22, shortDoc, 20, 2, 8).nats(),
          LmEvaluator.evaluate(model, 22, shortDoc, 20, 10, 8).nats(),
          1e-4);
      assertTrue(Double.isFinite(overlapping.nats()) && overlapping.nats() > 0);
      assertThrows(
          IllegalArgumentException.class, () -> LmEvaluator.evaluate(model, 22, tokens, 80, 11, 8));
    }
  }

  private static Model model(Initializer weights) {
    Engine.getEngine("PyTorch").setRandomSeed(3);
    Model model = Model.newInstance("lm", Device.cpu(), "PyTorch");
    CausalLm lm = new CausalLm(SPEC);
    lm.setInitializer(weights, Parameter.Type.WEIGHT);
    lm.initialize(model.getNDManager(), DataType.FLOAT32, CausalLm.inputShapes(1, 4));
    model.setBlock(lm);
    return model;
  }

  private static long[] tokens(int n) {
    Random random = new Random(n);
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = random.nextInt(22);
    }
    return t;
  }
}
