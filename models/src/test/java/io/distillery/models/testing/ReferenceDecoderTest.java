package io.distillery.models.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import io.distillery.models.lm.CausalLm;
import io.distillery.models.lm.LmAgreement;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.lm.LmSpec;
import io.distillery.models.onnx.CausalLmExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same decoder by two routes — our exporter and {@link ReferenceDecoder} — and PyTorch agree;
 * the fixture alone behaves like a causal decoder with padding.
 */
class ReferenceDecoderTest {
  private static final LmSpec SPEC = LmSpec.of(29, 12, 2, 16, 4, 40);

  @TempDir Path dir;

  @Test
  void ourExporterAndAnIndependentlyBuiltGraphAgreeWithPyTorch() throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(8);
    try (Model pytorch = Model.newInstance("lm", Device.cpu(), "PyTorch")) {
      CausalLm lm = new CausalLm(SPEC);
      lm.setInitializer(new NormalInitializer(0.3f), Parameter.Type.WEIGHT);
      lm.initialize(pytorch.getNDManager(), DataType.FLOAT32, CausalLm.inputShapes(1, 4));
      pytorch.setBlock(lm);
      Path ours = Files.createDirectories(dir.resolve("ours"));
      Path reference = Files.createDirectories(dir.resolve("reference"));
      CausalLmExporter.export(lm, Map.of(), ours.resolve("model.onnx"));
      ReferenceDecoder.write(ReferenceDecoder.Weights.of(lm), reference.resolve("model.onnx"));
      try (Model a = onnx(ours);
          Model b = onnx(reference)) {
        List<long[]> sequences = sequences(new Random(2), 20);
        LmAgreement oursVsReference =
            LmAgreement.compare(new LmRunner(a), new LmRunner(b), sequences, 29, 6);
        LmAgreement referenceVsPyTorch =
            LmAgreement.compare(new LmRunner(b), new LmRunner(pytorch), sequences, 29, 6);
        assertTrue(oursVsReference.maxAbsLogProbDiff() <= 1e-4, oursVsReference.toString());
        assertTrue(referenceVsPyTorch.maxAbsLogProbDiff() <= 1e-4, referenceVsPyTorch.toString());
      }
    }
  }

  @Test
  void randomWeightsMakeACausalDecoderThatIgnoresPadding() throws Exception {
    ReferenceDecoder.write(
        ReferenceDecoder.Weights.random(SPEC, 5, 0.3), dir.resolve("model.onnx"));
    try (Model model = onnx(dir)) {
      LmRunner runner = new LmRunner(model);
      float[] base = runner.logits(new long[][] {{3, 7, 1, 9}}, new long[][] {{1, 1, 1, 1}});
      assertEquals(4 * 29, base.length);
      float[] changed = runner.logits(new long[][] {{3, 7, 1, 2}}, new long[][] {{1, 1, 1, 1}});
      for (int i = 0; i < 3 * 29; i++) {
        assertEquals(base[i], changed[i], 0f, "position " + i / 29 + " saw the last token");
      }
      float[] leftPadded =
          runner.logits(new long[][] {{0, 0, 3, 7, 1, 9}}, new long[][] {{0, 0, 1, 1, 1, 1}});
      for (int i = 0; i < base.length; i++) {
        assertEquals(base[i], leftPadded[2 * 29 + i], 1e-5f, "value " + i);
        assertTrue(Float.isFinite(leftPadded[i]));
      }
    }
  }

  private static Model onnx(Path dir) throws Exception {
    Model model = Model.newInstance("decoder", Device.cpu(), "OnnxRuntime");
    model.load(dir, "model");
    return model;
  }

  private static List<long[]> sequences(Random random, int n) {
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long[] s = new long[1 + random.nextInt(SPEC.contextLength())];
      for (int t = 0; t < s.length; t++) {
        s[t] = random.nextInt(SPEC.vocabSize());
      }
      out.add(s);
    }
    return out;
  }
}
