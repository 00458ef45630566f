package io.distillery.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.initializer.NormalInitializer;
import com.google.protobuf.UnknownFieldSet;
import io.distillery.models.nn.Layer;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {
  @TempDir Path tmp;

  @Test
  void writesAnOpset13ModelProto() throws Exception {
    NetworkSpec spec = Networks.fashionMlp(0.5f, 16);
    try (Model model = initialised(spec)) {
      byte[] bytes =
          OnnxExporter.toBytes(
              spec, model.getBlock(), OnnxExporter.Output.LOGITS, Map.of("k", "v"));
      // Parse with protobuf's schema-less parser: field numbers as in onnx.proto.
      UnknownFieldSet proto = UnknownFieldSet.parseFrom(bytes);
      assertEquals(List.of(7L), proto.getField(1).getVarintList()); // ir_version
      UnknownFieldSet opset =
          UnknownFieldSet.parseFrom(proto.getField(8).getLengthDelimitedList().get(0));
      assertEquals(List.of(13L), opset.getField(2).getVarintList());
      UnknownFieldSet graph =
          UnknownFieldSet.parseFrom(proto.getField(7).getLengthDelimitedList().get(0));
      List<String> ops =
          graph.getField(1).getLengthDelimitedList().stream()
              .map(n -> uncheckedParse(n.toByteArray()).getField(4).getLengthDelimitedList().get(0))
              .map(b -> b.toString(StandardCharsets.UTF_8))
              .toList();
      // Dropout is gone; dense layers are Gemm.
      assertEquals(List.of("Flatten", "Gemm", "Relu", "Gemm", "Identity"), ops);
      assertEquals(4, graph.getField(5).getLengthDelimitedList().size()); // 2 weights, 2 biases
    }
  }

  @Test
  void onnxRuntimeMatchesPyTorchForAnMlpWithLogSoftmaxOutput() throws Exception {
    NetworkSpec spec = Networks.fashionMlp(0f, 32);
    Path file = tmp.resolve("model.onnx");
    float[] input = new float[8 * 784];
    Random random = new Random(5);
    for (int i = 0; i < input.length; i++) {
      input[i] = random.nextFloat();
    }
    try (Model pytorch = initialised(spec)) {
      OnnxExporter.export(
          spec, pytorch.getBlock(), OnnxExporter.Output.LOG_SOFTMAX, Map.of(), file);
      float[] expected =
          LogSoftmax.apply(new ModelRunner(pytorch, spec.sampleShape()).forward(input, 8), 10, 1f);
      try (Model ort = Model.newInstance("mlp", Device.cpu(), "OnnxRuntime")) {
        ort.load(tmp, "model");
        float[] actual = new ModelRunner(ort, spec.sampleShape()).forward(input, 8);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], 1e-5, "value " + i);
        }
      }
    }
    assertTrue(Files.size(file) > 784 * 32 * 4);
  }

  @Test
  void refusesADenseLayerOnAnImageTensor() throws Exception {
    NetworkSpec spec = new NetworkSpec("bad", new long[] {1, 4, 4}, List.of(new Layer.Dense(3)), 3);
    try (Model model = initialised(spec)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  OnnxExporter.toBytes(
                      spec, model.getBlock(), OnnxExporter.Output.LOGITS, Map.of()));
      assertTrue(e.getMessage().contains("add a Flatten before it"), e.getMessage());
    }
  }

  private static Model initialised(NetworkSpec spec) {
    Model model = Model.newInstance(spec.name(), Device.cpu(), "PyTorch");
    Block block = spec.newBlock();
    block.setInitializer(new NormalInitializer(0.1f), ai.djl.nn.Parameter.Type.WEIGHT);
    block.setInitializer(new NormalInitializer(0.1f), ai.djl.nn.Parameter.Type.BIAS);
    block.initialize(model.getNDManager(), DataType.FLOAT32, spec.inputShape(1));
    model.setBlock(block);
    return model;
  }

  private static UnknownFieldSet uncheckedParse(byte[] bytes) {
    try {
      return UnknownFieldSet.parseFrom(bytes);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
