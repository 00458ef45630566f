package io.distillery.evaluator.support;

import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.nn.Networks;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A real teacher for the evaluator's tests: a 784-128-10 MLP trained by {@link TeacherTrainer} for
 * 60 batches on real Fashion-MNIST (≈75% accuracy), exported to ONNX. Trained once per JVM; the
 * directory is kept in a system property because Quarkus may load this class more than once.
 */
public final class TinyTeacher {

  private static final String PROPERTY = "distillery.test.tiny-teacher-dir";

  private TinyTeacher() {}

  /** The model directory ({@code model.onnx}, parameters, {@code teacher-card.json}). */
  public static synchronized Path modelDir() {
    String existing = System.getProperty(PROPERTY);
    if (existing != null) {
      return Path.of(existing);
    }
    try {
      Path dir = TempDirs.create("evaluator-tiny-teacher");
      TeacherTrainingConfig config =
          new TeacherTrainingConfig(
              Networks.fashionMlp(0f, 128),
              FashionMnistLocator.locate(),
              dir,
              1,
              128,
              1e-3f,
              1e-3f,
              1,
              0,
              60,
              0,
              FashionMnist.DEFAULT_SPLIT_SEED,
              "tiny-teacher",
              "test-1",
              "Apache-2.0");
      new TeacherTrainer(config, new PrintStream(PrintStream.nullOutputStream())).train();
      System.setProperty(PROPERTY, dir.toString());
      return dir;
    } catch (Exception e) {
      throw new IllegalStateException("could not train the tiny test teacher", e);
    }
  }
}
