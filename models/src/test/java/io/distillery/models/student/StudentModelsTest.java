package io.distillery.models.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.initializer.NormalInitializer;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.proto.v1.StudentSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trip through the checkpoint form on the real PyTorch engine: plain JUnit. */
class StudentModelsTest {

  @Test
  void specRebuildsTheNetworkAndParametersRoundTrip() throws Exception {
    NetworkSpec network = Networks.fashionMlp(0f, 32);
    StudentSpec spec = StudentModels.spec(network, 25_450);
    assertEquals("mlp-784-32-10", spec.getArchitecture());
    assertEquals(List.of(32), spec.getHiddenSizesList());
    assertEquals(List.of(1L, 28L, 28L), spec.getInputShapeList());
    assertEquals(network, StudentModels.network(spec));

    float[] input = new float[3 * 784];
    Random random = new Random(1);
    for (int i = 0; i < input.length; i++) {
      input[i] = random.nextFloat();
    }
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    float[] expected;
    try (Model original = Model.newInstance("s", Device.cpu(), StudentModels.ENGINE)) {
      original.setBlock(network.newBlock());
      original.getBlock().setInitializer(new NormalInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
      original
          .getBlock()
          .initialize(original.getNDManager(), DataType.FLOAT32, network.inputShape(1));
      expected = new ModelRunner(original, network.sampleShape()).forward(input, 3);
      StudentModels.writeParameters(original.getBlock(), saved);
    }
    try (Model loaded = StudentModels.load(spec, new ByteArrayInputStream(saved.toByteArray()))) {
      assertArrayEquals(
          expected, new ModelRunner(loaded, network.sampleShape()).forward(input, 3), 1e-6f);
    }
  }

  @Test
  void unknownArchitectureIsNamed() {
    StudentSpec spec = StudentSpec.newBuilder().setArchitecture("resnet-9000").build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StudentModels.network(spec));
    assertEquals(true, e.getMessage().contains("resnet-9000"));
  }
}
