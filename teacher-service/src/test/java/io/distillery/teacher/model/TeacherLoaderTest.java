package io.distillery.teacher.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.digest.Sha256;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.teacher.TinyTeacherResource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading needs no Quarkus, only DJL and a model directory: plain JUnit. */
class TeacherLoaderTest {

  @Test
  void pyTorchServesTheSameCardWithTheParametersSha() throws Exception {
    Path dir = TinyTeacherResource.modelDir();
    try (LoadedTeacher teacher = TeacherLoader.load("PyTorch", dir, 64)) {
      assertEquals("PyTorch", teacher.card().getEngine());
      try (var files = Files.list(dir)) {
        Path params = files.filter(f -> f.toString().endsWith(".params")).findFirst().orElseThrow();
        assertEquals(Sha256.file(params), teacher.card().getArtifactSha256());
      }
      assertEquals(java.util.List.of(1L, 28L, 28L), teacher.card().getInputShapeList());
    }
  }

  @Test
  void tensorRtWithoutItsLibrariesFailsNamingTheLibraryAndTheCpuEngine() {
    TeacherLoadException e =
        assertThrows(
            TeacherLoadException.class,
            () -> TeacherLoader.load("TensorRT", TinyTeacherResource.modelDir(), 64));
    assertTrue(e.getMessage().startsWith("engine TensorRT is not available"), e.getMessage());
    assertTrue(e.getMessage().contains("distillery.teacher.engine=OnnxRuntime"), e.getMessage());
    // A second attempt sees DJL's NoClassDefFoundError instead; it must be reported the same way.
    TeacherLoadException again =
        assertThrows(
            TeacherLoadException.class,
            () -> TeacherLoader.load("TensorRT", TinyTeacherResource.modelDir(), 64));
    assertTrue(
        again.getMessage().startsWith("engine TensorRT is not available"), again.getMessage());
  }

  @Test
  void unknownEngineIsNamed() {
    TeacherLoadException e =
        assertThrows(
            TeacherLoadException.class,
            () -> TeacherLoader.load("Tensorflow", TinyTeacherResource.modelDir(), 64));
    assertEquals(
        "distillery.teacher.engine=Tensorflow is not one of TensorRT, OnnxRuntime, PyTorch",
        e.getMessage());
  }

  @Test
  void directoryWithoutACardSaysWhatToConfigure(@TempDir Path empty) {
    TeacherLoadException e =
        assertThrows(
            TeacherLoadException.class, () -> TeacherLoader.load("OnnxRuntime", empty, 64));
    assertTrue(e.getMessage().contains("distillery.teacher.model-dir"), e.getMessage());
  }

  @Test
  void tamperedArtifactIsRefused(@TempDir Path copy) throws Exception {
    Path source = TinyTeacherResource.modelDir();
    try (var files = Files.list(source)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    Path onnx = copy.resolve(TeacherArtifacts.ONNX_FILE);
    byte[] bytes = Files.readAllBytes(onnx);
    bytes[bytes.length - 1] ^= 1;
    Files.write(onnx, bytes);
    TeacherLoadException e =
        assertThrows(TeacherLoadException.class, () -> TeacherLoader.load("OnnxRuntime", copy, 64));
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
  }
}
