package io.distillery.drills.support;

import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Fashion-MNIST teacher CNN trained for a few batches (both forms, DJL parameters and ONNX,
 * with its card): a real model whose outputs depend on its input, which is all a drill needs.
 * Trained once per build into {@code drills/target/drill-teacher}.
 */
public final class DrillTeacher {

  private DrillTeacher() {}

  public static synchronized Path modelDir() throws Exception {
    Path dir = Drills.ROOT.resolve("drills/target/drill-teacher");
    if (Files.exists(dir.resolve(TeacherCardFile.FILE_NAME))) {
      return dir;
    }
    Path partial = dir.resolveSibling("drill-teacher.partial");
    Files2.deleteRecursively(partial);
    TeacherTrainingConfig config =
        TeacherTrainingConfig.defaults(FashionMnistLocator.locate(), partial).withSchedule(1, 3);
    new TeacherTrainer(config, new PrintStream(PrintStream.nullOutputStream())).train();
    Files.move(partial, dir);
    return dir;
  }
}
