package io.distillery.cli.bench.watermark;

import io.distillery.models.lm.LmRunner;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.TopK;
import io.distillery.models.student.StudentModels;
import io.distillery.models.watermark.lm.LmWatermarkDetector;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import io.distillery.models.watermark.lm.VocabWatermark;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.StudentSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LM watermark experiment: the teacher's next-token logits on the transfer windows are computed
 * once; per student {@code i} a key {@code i} marks them (pure Java, no new forward pass); tiny
 * transformer students are trained in-process on the marked soft labels, on the same teacher's
 * unmarked soft labels (paired seed), or on the text's next tokens only; each is queried on
 * held-out probe windows and tested with key {@code i}, relative to the unmarked teacher (the
 * owner's test) and alone. The teacher's own quality with and without each key's mark is measured
 * on the probe windows.
 */
public final class LmWatermarkExperiment {

  /** The student groups. */
  public enum Condition {
    MARKED("distilled from marked soft labels", true),
    CLEAN("distilled from the same teacher's unmarked soft labels", false),
    HARD("trained on the text's next tokens (hard labels, no teacher)", false);

    private final String description;
    private final boolean marked;

    Condition(String description, boolean marked) {
      this.description = description;
      this.marked = marked;
    }

    public String description() {
      return description;
    }

    public boolean marked() {
      return marked;
    }
  }

  /** What to run. */
  public record Settings(
      int students,
      int steps,
      int batchSize,
      float learningRate,
      int layers,
      int width,
      int heads,
      double epsilon,
      int topK,
      int nullKeys,
      long seed,
      List<Double> teacherEpsilons,
      double maxMinutes) {}

  /** One student's test. */
  public record Outcome(
      Condition condition,
      int student,
      LmWatermarkDetector.Result result,
      LmWatermarkDetector.Result alone,
      double bitsPerByte) {}

  /** The teacher's quality under one ε, averaged over the students' keys. */
  public record TeacherQuality(
      double epsilon,
      double meanBitsPerByte,
      double worstBitsPerByte,
      double meanTopOneAgreement,
      double meanPerturbation) {}

  /** Everything measured. */
  public record Report(
      Map<Condition, List<Outcome>> outcomes,
      double teacherCleanBitsPerByte,
      List<TeacherQuality> teacher,
      double seconds) {

    public List<Outcome> of(Condition condition) {
      return outcomes.get(condition);
    }

    public double meanBitsPerByte(Condition condition) {
      return of(condition).stream().mapToDouble(Outcome::bitsPerByte).average().orElse(Double.NaN);
    }
  }

  private final Settings settings;
  private final PrintStream out;

  public LmWatermarkExperiment(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /** The key of student {@code i}: seed and phase drawn from the experiment's seed. */
  static LmWatermarkKey key(long seed, int student, int vocab) {
    SplittableRandom random = new SplittableRandom(seed * 7919 + student);
    return new LmWatermarkKey(
        random.nextLong(),
        vocab,
        LmWatermarkKey.DEFAULT_FREQUENCY,
        random.nextDouble() * 2 * Math.PI,
        LmWatermarkKey.DEFAULT_CONTEXT);
  }

  /**
   * Runs the experiment.
   *
   * @param teacher the teacher's decoder
   * @param vocab its vocabulary
   * @param transfer equal-length windows the students learn from
   * @param probes equal-length held-out windows the detector queries and the scores use
   * @param probeBytes UTF-8 bytes of each probe window's predicted tokens (all but the first)
   */
  public Report run(
      LmRunner teacher, int vocab, List<int[]> transfer, List<int[]> probes, long[] probeBytes) {
    long start = System.nanoTime();
    int length = transfer.get(0).length;
    StudentSpec spec =
        StudentModels.transformer(
            vocab, length, settings.layers(), settings.width(), settings.heads(), 0, "");
    out.printf(
        "Teacher logits on %d transfer windows and %d probe windows of %d tokens...%n",
        transfer.size(), probes.size(), length);
    List<float[]> transferLogits = logits(teacher, transfer);
    List<float[]> probeLogits = logits(teacher, probes);
    List<List<SparseDistribution>> cleanLabels = new ArrayList<>();
    for (int w = 0; w < transfer.size(); w++) {
      cleanLabels.add(topK(transferLogits.get(w), length));
    }
    List<float[]> teacherProbs = softmaxAll(probeLogits, vocab);
    double cleanBpb = bitsPerByte(probes, teacherProbs, probeBytes, vocab);
    List<TeacherQuality> teacherQuality = new ArrayList<>();
    List<Double> epsilons = new ArrayList<>(settings.teacherEpsilons());
    if (!epsilons.contains(settings.epsilon())) {
      epsilons.add(0, settings.epsilon());
    }
    for (double epsilon : epsilons) {
      teacherQuality.add(teacherQuality(epsilon, probes, probeLogits, probeBytes, vocab));
    }
    out.printf(Locale.ROOT, "Teacher: %.4f bits/byte on the probe windows%n", cleanBpb);
    for (TeacherQuality q : teacherQuality) {
      out.printf(
          Locale.ROOT,
          "  marked at ε = %s: %.4f bits/byte (Δ %+.4f, worst %+.4f), top-1 agreement %.4f%%,"
              + " max|q̂−q| %.4f%n",
          q.epsilon(),
          q.meanBitsPerByte(),
          q.meanBitsPerByte() - cleanBpb,
          q.worstBitsPerByte() - cleanBpb,
          100 * q.meanTopOneAgreement(),
          q.meanPerturbation());
    }
    Map<Condition, List<Outcome>> outcomes = new EnumMap<>(Condition.class);
    for (Condition c : Condition.values()) {
      outcomes.put(c, new ArrayList<>());
    }
    LossSettings soft = LossSettings.of(Divergence.FORWARD_KL, 1f, 0f);
    LossSettings hard = LossSettings.of(Divergence.FORWARD_KL, 1f, 1f);
    for (int i = 0; i < settings.students(); i++) {
      double minutes = (System.nanoTime() - start) / 6e10;
      if (settings.maxMinutes() > 0 && minutes > settings.maxMinutes()) {
        out.printf(
            Locale.ROOT,
            "Stopping after %d students per condition: %.1f min exceed --max-minutes %s%n",
            i,
            minutes,
            settings.maxMinutes());
        break;
      }
      LmWatermarkKey key = key(settings.seed(), i, vocab);
      VocabWatermark mark = new VocabWatermark(key, settings.epsilon());
      LmWatermarkDetector detector =
          new LmWatermarkDetector(key, settings.nullKeys(), LmWatermarkDetector.DEFAULT_ALPHA);
      long studentSeed = settings.seed() * 1000 + i;
      for (Condition c : Condition.values()) {
        long t0 = System.nanoTime();
        try (LmQuickStudent student =
            new LmQuickStudent(spec, studentSeed, settings.batchSize(), settings.learningRate())) {
          switch (c) {
            case MARKED ->
                student.train(
                    transfer,
                    w ->
                        topK(
                            mark.markSequence(transfer.get(w), transferLogits.get(w)).logits(),
                            length),
                    soft,
                    settings.steps());
            case CLEAN -> student.train(transfer, cleanLabels::get, soft, settings.steps());
            case HARD -> student.train(transfer, null, hard, settings.steps());
          }
          List<float[]> probs = softmaxAll(logits(student.runner(), probes), vocab);
          LmWatermarkDetector.Result result = detector.test(probes, probs, teacherProbs);
          LmWatermarkDetector.Result alone = detector.test(probes, probs);
          double bpb = bitsPerByte(probes, probs, probeBytes, vocab);
          outcomes.get(c).add(new Outcome(c, i, result, alone, bpb));
          out.printf(
              Locale.ROOT,
              "student %2d %-6s p = %.4f %-12s R² %.5f (null median %.5f) amplitude %.3f;"
                  + " suspect alone p = %.4f; %.4f bits/byte, %.1f s%n",
              i,
              c,
              result.pValue(),
              result.detected() ? "DETECTED" : "not detected",
              result.statistic(),
              result.nullMedian(),
              result.amplitude(),
              alone.pValue(),
              bpb,
              (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    return new Report(outcomes, cleanBpb, teacherQuality, (System.nanoTime() - start) / 1e9);
  }

  private TeacherQuality teacherQuality(
      double epsilon, List<int[]> probes, List<float[]> probeLogits, long[] probeBytes, int vocab) {
    double sumBpb = 0;
    double worst = Double.NEGATIVE_INFINITY;
    double sumAgreement = 0;
    double sumPerturbation = 0;
    for (int i = 0; i < settings.students(); i++) {
      VocabWatermark mark = new VocabWatermark(key(settings.seed(), i, vocab), epsilon);
      List<float[]> marked = new ArrayList<>();
      long agree = 0;
      long positions = 0;
      double largest = 0;
      for (int w = 0; w < probes.size(); w++) {
        VocabWatermark.Marked m = mark.markSequence(probes.get(w), probeLogits.get(w));
        largest = Math.max(largest, m.perturbation());
        marked.add(m.logits());
        for (int p = 0; p < probes.get(w).length; p++, positions++) {
          agree +=
              argmax(m.logits(), p * vocab, vocab) == argmax(probeLogits.get(w), p * vocab, vocab)
                  ? 1
                  : 0;
        }
      }
      double bpb = bitsPerByte(probes, softmaxAll(marked, vocab), probeBytes, vocab);
      sumBpb += bpb;
      worst = Math.max(worst, bpb);
      sumAgreement += (double) agree / positions;
      sumPerturbation += largest;
    }
    int n = settings.students();
    return new TeacherQuality(epsilon, sumBpb / n, worst, sumAgreement / n, sumPerturbation / n);
  }

  private List<SparseDistribution> topK(float[] logits, int length) {
    int vocab = logits.length / length;
    List<SparseDistribution> positions = new ArrayList<>(length - 1);
    for (int t = 0; t < length - 1; t++) {
      positions.add(TopK.of(logits, t * vocab, vocab, settings.topK(), 1f));
    }
    return positions;
  }

  /** Logits of equal-length windows, 16 per forward pass. */
  static List<float[]> logits(LmRunner runner, List<int[]> windows) {
    List<float[]> out = new ArrayList<>(windows.size());
    int length = windows.get(0).length;
    for (int start = 0; start < windows.size(); start += 16) {
      int m = Math.min(16, windows.size() - start);
      long[][] ids = new long[m][length];
      long[][] mask = new long[m][length];
      for (int b = 0; b < m; b++) {
        for (int t = 0; t < length; t++) {
          ids[b][t] = windows.get(start + b)[t];
          mask[b][t] = 1;
        }
      }
      float[] logits = runner.logits(ids, mask);
      int per = logits.length / m;
      for (int b = 0; b < m; b++) {
        float[] row = new float[per];
        System.arraycopy(logits, b * per, row, 0, per);
        out.add(row);
      }
    }
    return out;
  }

  static List<float[]> softmaxAll(List<float[]> logits, int vocab) {
    List<float[]> out = new ArrayList<>(logits.size());
    for (float[] l : logits) {
      float[] p = new float[l.length];
      for (int offset = 0; offset < l.length; offset += vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
          max = Math.max(max, l[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
          sum += Math.exp(l[offset + i] - max);
        }
        for (int i = 0; i < vocab; i++) {
          p[offset + i] = (float) (Math.exp(l[offset + i] - max) / sum);
        }
      }
      out.add(p);
    }
    return out;
  }

  /** Bits per UTF-8 byte of each window's next tokens (positions 0 .. length − 2). */
  static double bitsPerByte(List<int[]> windows, List<float[]> probs, long[] bytes, int vocab) {
    double nats = 0;
    long totalBytes = 0;
    for (int w = 0; w < windows.size(); w++) {
      int[] ids = windows.get(w);
      for (int t = 0; t + 1 < ids.length; t++) {
        nats -= Math.log(Math.max(probs.get(w)[t * vocab + ids[t + 1]], 1e-12f));
      }
      totalBytes += bytes[w];
    }
    return nats / Math.log(2) / totalBytes;
  }

  private static int argmax(float[] logits, int offset, int size) {
    int best = 0;
    for (int i = 1; i < size; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
