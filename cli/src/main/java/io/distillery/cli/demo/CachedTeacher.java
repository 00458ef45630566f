package io.distillery.cli.demo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import io.distillery.cli.teacher.TeacherTrainCommand;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.teacher.TeacherTrainingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The teacher the demo serves: an explicitly given model directory, or one trained once and kept in
 * the cache directory (verified by its card's checksums before every reuse).
 *
 * @param dir the model directory
 * @param card its teacher card
 * @param parameters the network's parameter count
 * @param trainedNow whether this run trained it
 */
public record CachedTeacher(Path dir, TeacherCardFile card, long parameters, boolean trainedNow) {

  static CachedTeacher prepare(DemoSettings settings, Path dataDir, PrintStream out)
      throws Exception {
    if (settings.teacherDir().isPresent()) {
      Path dir = settings.teacherDir().get();
      TeacherCardFile card = TeacherArtifacts.checkFiles(dir);
      out.println("Teacher: " + describe(dir, card));
      return new CachedTeacher(dir, card, parameters(card), false);
    }
    Path dir = settings.cacheDir().resolve("teachers").resolve(cacheName(settings));
    if (Files.exists(dir.resolve(TeacherCardFile.FILE_NAME))) {
      try {
        TeacherCardFile card = TeacherArtifacts.checkFiles(dir);
        out.println("Teacher: cached, " + describe(dir, card));
        return new CachedTeacher(dir, card, parameters(card), false);
      } catch (IOException damaged) {
        out.println(
            "The cached teacher is damaged (" + damaged.getMessage() + "); training again.");
      }
    }
    out.printf(
        "Teacher: none cached; training the Fashion-MNIST CNN for %d epochs (first run only)...%n",
        settings.teacherEpochs());
    Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
    deleteRecursively(partial);
    deleteRecursively(dir);
    TeacherTrainingConfig config =
        TeacherTrainingConfig.defaults(dataDir, partial)
            .withSchedule(settings.teacherEpochs(), settings.teacherMaxBatches());
    TeacherTrainCommand.train(config, out);
    // Only a complete model directory ever carries the cache's name.
    Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    TeacherArtifacts.checkFiles(dir);
    TeacherCardFile card = TeacherCardFile.read(dir);
    out.println("Teacher: " + describe(dir, card));
    return new CachedTeacher(dir, card, parameters(card), true);
  }

  private static String cacheName(DemoSettings settings) {
    return "fashion-cnn-e"
        + settings.teacherEpochs()
        + (settings.teacherMaxBatches() > 0 ? "-b" + settings.teacherMaxBatches() : "");
  }

  private static String describe(Path dir, TeacherCardFile card) {
    String accuracy =
        card.training() == null
            ? ""
            : String.format(
                java.util.Locale.ROOT,
                ", %.2f%% test accuracy when trained",
                100 * card.training().testAccuracy());
    return card.id() + " " + card.version() + " in " + dir + accuracy;
  }

  /** Parameters of the card's network, counted on a freshly initialised copy. */
  static long parameters(TeacherCardFile card) {
    NetworkSpec network = Networks.byName(card.network());
    try (NDManager manager = NDManager.newBaseManager(TeacherArtifacts.PYTORCH)) {
      Block block = network.newBlock();
      block.initialize(manager, DataType.FLOAT32, network.inputShape(1));
      return block.getParameters().values().stream()
          .mapToLong(parameter -> parameter.getArray().size())
          .sum();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
