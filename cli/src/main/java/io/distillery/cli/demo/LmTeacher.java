package io.distillery.cli.demo;

import io.distillery.cli.teacher.CausalLmTraining;
import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.text.JaneAusten;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The language-model teacher the LM track serves: an explicitly given model directory, or one
 * trained once on the Jane Austen novels and kept in the cache directory (its files checked against
 * its card before every reuse).
 *
 * @param dir the model directory (teacher-card.json, tokenizer.json, model.onnx, DJL params)
 * @param card its teacher card
 * @param trainedNow whether this run trained it
 */
public record LmTeacher(Path dir, TeacherCardFile card, boolean trainedNow) {

  /** The teacher's parameter count, from its card. */
  public long parameters() {
    return card.languageModel().parameters();
  }

  /** The tokenizer file the labeler and the evaluator must use. */
  public Path tokenizer() {
    return dir.resolve(card.languageModel().tokenizer().file());
  }

  static LmTeacher prepare(LmDemoSettings settings, Path austenDir, PrintStream out)
      throws Exception {
    if (settings.teacherDir().isPresent()) {
      Path dir = settings.teacherDir().get();
      TeacherCardFile card = checked(dir);
      out.println("Teacher: " + describe(dir, card));
      return new LmTeacher(dir, card, false);
    }
    CausalLmTeacherConfig config = settings.teacherTraining();
    Path dir = settings.cacheDir().resolve("teachers").resolve(cacheName(config));
    if (Files.exists(dir.resolve(TeacherCardFile.FILE_NAME))) {
      try {
        TeacherCardFile card = checked(dir);
        out.println("Teacher: cached, " + describe(dir, card));
        return new LmTeacher(dir, card, false);
      } catch (IOException damaged) {
        out.println(
            "The cached teacher is damaged (" + damaged.getMessage() + "); training again.");
      }
    }
    out.printf(
        Locale.ROOT,
        "Teacher: none cached; training a %d×%d decoder on the Jane Austen novels (%s, first run"
            + " only)...%n",
        config.layers(),
        config.width(),
        config.maxSteps() > 0
            ? config.maxSteps() + " steps"
            : String.format(Locale.ROOT, "%.0f min", config.maxSeconds() / 60));
    Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
    deleteRecursively(partial);
    deleteRecursively(dir);
    CausalLmTraining.Corpora corpora =
        new CausalLmTraining.Corpora(
            JaneAusten.training(austenDir), JaneAusten.heldOut(austenDir), "janeausten");
    CausalLmTeacherConfig into =
        new CausalLmTeacherConfig(
            partial,
            config.vocabSize(),
            config.contextLength(),
            config.layers(),
            config.width(),
            config.heads(),
            config.mlpWidth(),
            config.batchSize(),
            config.learningRate(),
            config.finalLearningRate(),
            config.warmupSteps(),
            config.seed(),
            config.maxSteps(),
            config.maxSeconds(),
            config.evalStride(),
            config.modelId(),
            config.version(),
            config.licenseSpdx());
    CausalLmTraining.train(into, corpora, out, true);
    // Only a complete model directory ever carries the cache's name.
    Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    TeacherCardFile card = checked(dir);
    out.println("Teacher: " + describe(dir, card));
    return new LmTeacher(dir, card, true);
  }

  private static TeacherCardFile checked(Path dir) throws IOException {
    TeacherCardFile card = TeacherArtifacts.checkFiles(dir);
    if (card.languageModel() == null) {
      throw new IOException(
          dir + " holds a " + card.task() + " teacher, not a causal language model");
    }
    return card;
  }

  private static String cacheName(CausalLmTeacherConfig c) {
    return String.format(
        Locale.ROOT,
        "%s-%dx%d-h%d-ctx%d-v%d-%s",
        c.modelId(),
        c.layers(),
        c.width(),
        c.heads(),
        c.contextLength(),
        c.vocabSize(),
        c.maxSteps() > 0 ? c.maxSteps() + "steps" : Math.round(c.maxSeconds()) + "s");
  }

  private static String describe(Path dir, TeacherCardFile card) {
    TeacherCardFile.LanguageModel lm = card.languageModel();
    String bpb =
        lm.evaluation() == null
            ? ""
            : String.format(
                Locale.ROOT,
                ", %.3f bits/byte on %s when trained",
                lm.evaluation().bitsPerByte(),
                lm.evaluation().dataset());
    return String.format(
        Locale.ROOT,
        "%s %s (%s, %,d parameters) in %s%s",
        card.id(),
        card.version(),
        card.network(),
        lm.parameters(),
        dir,
        bpb);
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
