package io.distillery.models.onnx;

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
import io.distillery.models.onnx.schema.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalLmExporterTest {
  private static final LmSpec SPEC = LmSpec.of(37, 16, 2, 16, 4, 32);

  @TempDir Path dir;

  @Test
  void writesADecoderWithOptimumsInputsAndOutput() throws Exception {
    try (Model model = initialised(SPEC, 1)) {
      byte[] bytes =
          CausalLmExporter.toBytes((CausalLm) model.getBlock(), Map.of("distillery.model_id", "t"));
      Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(bytes);
      assertEquals(8, proto.getIrVersion());
      assertEquals(17, proto.getOpsetImport(0).getVersion());
      Onnx.GraphProto graph = proto.getGraph();
      assertEquals(
          List.of("input_ids", "attention_mask"),
          graph.getInputList().stream().map(Onnx.ValueInfoProto::getName).toList());
      for (Onnx.ValueInfoProto input : graph.getInputList()) {
        Onnx.TypeProto.Tensor type = input.getType().getTensorType();
        assertEquals(Onnx.TensorProto.DataType.INT64.getNumber(), type.getElemType());
        assertEquals("batch", type.getShape().getDim(0).getDimParam());
        assertEquals("sequence", type.getShape().getDim(1).getDimParam());
      }
      Onnx.TypeProto.Tensor logits = graph.getOutput(0).getType().getTensorType();
      assertEquals("logits", graph.getOutput(0).getName());
      assertEquals(Onnx.TensorProto.DataType.FLOAT.getNumber(), logits.getElemType());
      assertEquals(37, logits.getShape().getDim(2).getDimValue());
      assertEquals("t", proto.getMetadataProps(0).getValue());
      assertEquals(
          2, graph.getNodeList().stream().filter(n -> n.getOpType().equals("Softmax")).count());
      assertEquals(
          5,
          graph.getNodeList().stream()
              .filter(n -> n.getOpType().equals("LayerNormalization"))
              .count());
    }
  }

  @Test
  void onnxRuntimeMatchesPyTorchOnPaddedBatchesOfEveryLength() throws Exception {
    Path file = dir.resolve("model.onnx");
    try (Model pytorch = initialised(SPEC, 2)) {
      CausalLmExporter.export((CausalLm) pytorch.getBlock(), Map.of(), file);
      try (Model ort = Model.newInstance("lm", Device.cpu(), "OnnxRuntime")) {
        ort.load(dir, "model");
        Random random = new Random(4);
        List<long[]> sequences = new ArrayList<>();
        for (int length = 1; length <= SPEC.contextLength(); length++) {
          long[] seq = new long[length];
          for (int t = 0; t < length; t++) {
            seq[t] = random.nextInt(SPEC.vocabSize());
          }
          sequences.add(seq);
        }
        java.util.Collections.shuffle(sequences, random);
        LmAgreement agreement =
            LmAgreement.compare(
                new LmRunner(pytorch), new LmRunner(ort), sequences, SPEC.vocabSize(), 5);
        assertEquals(136, agreement.positions()); // 1 + 2 + ... + 16
        assertTrue(agreement.maxAbsLogProbDiff() <= 1e-4, "max |Δ log p| " + agreement);
        assertEquals(0, agreement.argMaxDisagreements());
      }
    }
    assertTrue(Files.size(file) > SPEC.parameterCount() * 4);
  }

  static Model initialised(LmSpec spec, int seed) {
    Engine.getEngine("PyTorch").setRandomSeed(seed);
    Model model = Model.newInstance("lm", Device.cpu(), "PyTorch");
    CausalLm lm = new CausalLm(spec);
    // Larger than the training initialisation, so the distributions are far from uniform.
    lm.setInitializer(new NormalInitializer(0.3f), Parameter.Type.WEIGHT);
    lm.initialize(model.getNDManager(), DataType.FLOAT32, CausalLm.inputShapes(1, 4));
    model.setBlock(lm);
    return model;
  }
}
