package io.distillery.models.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.initializer.NormalInitializer;
import io.distillery.models.nn.Layer;
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
    StudentSpec spec = StudentModels.mlp(List.of(1L, 28L, 28L), List.of(32), 10, 0f);
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
  void theFieldsNotTheNameRebuildTheNetwork() {
    StudentSpec spec =
        StudentModels.cnn(List.of(1L, 28L, 28L), List.of(16, 32), List.of(64), 10, 0f);
    assertEquals("cnn-1x28x28-c16-c32-h64-10", spec.getArchitecture());
    // A stale or misleading name does not matter: the fields are the truth.
    StudentSpec renamed = spec.toBuilder().setArchitecture("mlp-784-10").build();
    NetworkSpec network = StudentModels.network(renamed);
    assertEquals(spec.getArchitecture(), network.name());
    assertEquals(2, network.layers().stream().filter(l -> l instanceof Layer.MaxPool).count());
    // A wider hidden layer in the fields changes the network.
    StudentSpec wider = spec.toBuilder().setHiddenSizes(0, 128).build();
    assertEquals("cnn-1x28x28-c16-c32-h128-10", StudentModels.network(wider).name());
  }

  @Test
  void theCnnStudentCostsAQuarterOfTheTeachersComputeAtMost() {
    NetworkSpec student =
        StudentModels.network(
            StudentModels.cnn(List.of(1L, 28L, 28L), List.of(16, 32), List.of(64), 10, 0f));
    long teacher = Networks.fashionCnn().multiplyAccumulates();
    // conv 28²·16·9 + conv 14²·32·16·9 + dense 1568·64 + 64·10
    assertEquals(112_896L + 903_168L + 100_352L + 640L, student.multiplyAccumulates());
    assertEquals(225_792L + 3_612_672L + 802_816L + 2_560L, teacher);
    assertTrue(student.multiplyAccumulates() * 4 <= teacher);
  }

  @Test
  void oldCheckpointsWithoutAFamilyAreRebuiltFromTheirName() {
    StudentSpec old = StudentSpec.newBuilder().setArchitecture("mlp-784-32-10").build();
    assertEquals(Networks.fashionMlp(0f, 32), StudentModels.network(old));
  }

  @Test
  void aWrongFieldIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StudentModels.cnn(List.of(1L, 28L, 28L), List.of(16, 0), List.of(), 10, 0f));
    assertTrue(e.getMessage().contains("conv-channels"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                StudentModels.network(
                    StudentSpec.newBuilder().setFamily("resnet").setOutputSize(10).build()));
    assertTrue(e.getMessage().contains("resnet") && e.getMessage().contains("cnn"), e.getMessage());
  }

  @Test
  void unknownArchitectureIsNamed() {
    StudentSpec spec = StudentSpec.newBuilder().setArchitecture("resnet-9000").build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StudentModels.network(spec));
    assertEquals(true, e.getMessage().contains("resnet-9000"));
  }
}
