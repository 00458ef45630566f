package io.distillery.teacher;

import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Trains the real Fashion-MNIST teacher CNN for a few batches into a temporary model directory
 * (both forms: DJL parameters and ONNX) and points teacher-service at it. A few batches are enough
 * for a model whose outputs depend on its input, which is all the serving tests need.
 */
public class TinyTeacherResource implements QuarkusTestResourceLifecycleManager {

  private static Path modelDir;

  /** The model directory, trained once per JVM. */
  public static synchronized Path modelDir() {
    if (modelDir == null) {
      try {
        Path dir = Files.createTempDirectory("tiny-teacher");
        TeacherTrainingConfig config =
            TeacherTrainingConfig.defaults(FashionMnistLocator.locate(), dir).withSchedule(1, 3);
        new TeacherTrainer(config, new PrintStream(PrintStream.nullOutputStream())).train();
        modelDir = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException("could not train the tiny test teacher", e);
      }
    }
    return modelDir;
  }

  @Override
  public Map<String, String> start() {
    return Map.of("distillery.teacher.model-dir", modelDir().toString());
  }

  @Override
  public void stop() {}
}
