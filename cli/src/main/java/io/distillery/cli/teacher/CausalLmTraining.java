package io.distillery.cli.teacher;

import ai.djl.MalformedModelException;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.cli.progress.Progress;
import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.models.teacher.CausalLmTeacherTrainer;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.text.TextCorpus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The causal-LM half of {@code distillery teacher train --task causal-lm}: finds the corpus (Jane
 * Austen's novels, {@value JaneAusten#HELD_OUT} held out, or the user's file with its last tenth
 * held out), trains with a progress bar, verifies and prints a summary.
 */
public final class CausalLmTraining {

  /** Share of a user's corpus held out for evaluation. */
  public static final double HELD_OUT_FRACTION = 0.1;

  private CausalLmTraining() {}

  /**
   * The training and held-out corpora.
   *
   * @param corpus the user's text or JSON-lines file, or null for the Jane Austen novels
   * @param heldOutFile the user's held-out file, or null to split {@code corpus}
   * @param cacheDir where the Debian package is fetched to if it is not installed
   * @param log where a fetch is reported
   * @return [training, held out, data set name]
   * @throws IOException if a file cannot be read or the package cannot be fetched
   */
  public static Corpora corpora(Path corpus, Path heldOutFile, Path cacheDir, PrintStream log)
      throws IOException {
    if (corpus == null) {
      Path dir = JaneAustenData.locateOrFetch(cacheDir, log);
      return new Corpora(JaneAusten.training(dir), JaneAusten.heldOut(dir), "janeausten");
    }
    TextCorpus all = TextCorpus.read(corpus);
    if (heldOutFile != null) {
      return new Corpora(all, TextCorpus.read(heldOutFile), corpus.getFileName().toString());
    }
    List<TextCorpus> split = all.holdOut(HELD_OUT_FRACTION);
    return new Corpora(split.get(0), split.get(1), corpus.getFileName().toString());
  }

  /**
   * Training and evaluation text.
   *
   * @param train what the tokenizer and the network learn from
   * @param heldOut what the card's bits per byte are measured on
   * @param dataset the data set's name for the card
   */
  public record Corpora(TextCorpus train, TextCorpus heldOut, String dataset) {}

  /**
   * Trains, with a progress bar unless {@code progress} is false, and writes the model directory.
   *
   * @param config what to train
   * @param corpora on which text
   * @param out where the bar and the log lines go
   * @param progress whether to draw a bar (else a line every 30 s)
   * @return the report
   * @throws IOException if the directory cannot be written
   * @throws MalformedModelException if DJL cannot save the model
   */
  public static CausalLmTeacherTrainer.Report train(
      CausalLmTeacherConfig config, Corpora corpora, PrintStream out, boolean progress)
      throws IOException, MalformedModelException {
    TeacherTrainer.applyRuntimeDefaults();
    if (!progress) {
      return new CausalLmTeacherTrainer(config, out, CausalLmTeacherTrainer.Listener.NONE)
          .train(corpora.train(), corpora.heldOut(), corpora.dataset());
    }
    try (Bar bar = new Bar(out)) {
      return new CausalLmTeacherTrainer(config, out, bar)
          .train(corpora.train(), corpora.heldOut(), corpora.dataset());
    }
  }

  /** Prints the held-out result, the training facts and the model directory's files. */
  public static void printSummary(PrintStream out, CausalLmTeacherTrainer.Report report) {
    TeacherCardFile card = report.card();
    TeacherCardFile.LanguageModel lm = card.languageModel();
    out.printf(
        Locale.ROOT,
        "Teacher %s %s (causal LM, %s, %,d parameters): %.3f bits/byte on %s (%.2f bytes/token);"
            + " %,d steps in %.1f s (%,.0f tokens/s)%n",
        card.id(),
        card.version(),
        card.network(),
        lm.parameters(),
        lm.evaluation().bitsPerByte(),
        lm.evaluation().dataset(),
        lm.evaluation().bytesPerToken(),
        lm.training().steps(),
        lm.training().trainingSeconds(),
        lm.training().tokensPerSecond());
    out.printf("Model directory: %s%n", report.outputDir().toAbsolutePath().normalize());
    out.printf("  %-20s the teacher card%n", TeacherCardFile.FILE_NAME);
    for (TeacherCardFile.FileEntry file : card.files().values()) {
      out.printf(Locale.ROOT, "  %-20s %s, %,d bytes%n", file.name(), file.format(), file.bytes());
    }
  }

  /** A bar over steps (with --steps) or seconds (with --minutes), with loss and throughput. */
  private static final class Bar implements CausalLmTeacherTrainer.Listener, AutoCloseable {
    private final PrintStream out;
    private Progress bar;
    private boolean bySteps;
    private double lossSum;
    private int lossCount;

    Bar(PrintStream out) {
      this.out = out;
    }

    @Override
    public void trainingStarted(int maxSteps, double maxSeconds) {
      bySteps = maxSeconds <= 0;
      bar =
          bySteps
              ? Progress.start("Training", maxSteps, "steps", out)
              : Progress.start("Training", (long) Math.ceil(maxSeconds), "s", out);
    }

    @Override
    public void stepTrained(
        int step, double seconds, float loss, float learningRate, double tokensPerSecond) {
      lossSum += loss;
      lossCount++;
      if (bar == null) {
        return;
      }
      bar.stepTo(bySteps ? step : (long) seconds);
      if (step % 10 == 0) {
        bar.setExtraMessage(
            String.format(
                Locale.ROOT,
                "step %d, loss %.3f, lr %.1e, %,.0f tok/s",
                step,
                lossSum / lossCount,
                learningRate,
                tokensPerSecond));
        lossSum = 0;
        lossCount = 0;
      }
    }

    @Override
    public void trainingFinished() {
      close();
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
