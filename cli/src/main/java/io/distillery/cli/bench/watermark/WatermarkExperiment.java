package io.distillery.cli.bench.watermark;

import io.distillery.models.data.LabeledImages;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.models.nn.TopK;
import io.distillery.models.watermark.CosineWatermark;
import io.distillery.models.watermark.WatermarkDetector;
import io.distillery.models.watermark.WatermarkKey;
import io.distillery.proto.v1.SparseDistribution;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The watermark experiment of issue 18: for each of {@code students} keys, small students learn
 * from the teacher's marked soft labels, from its clean ones, from hard labels, from a different
 * teacher, and from the marked labels followed by a brief fine-tune on other images' hard labels;
 * each is tested with that key. Reports detection rates, teacher accuracy with and without the
 * mark, and the marked students' accuracy against clean-KD students on paired seeds.
 */
public final class WatermarkExperiment {

  private static final int CLASSES = 10;

  /** The groups of students. */
  public enum Condition {
    MARKED("marked KD", true),
    MARKED_FINE_TUNED("marked KD, then fine-tuned on clean hard labels", true),
    HARD_LABELS("hard labels only", false),
    OTHER_TEACHER("KD from a different teacher (no key)", false),
    CLEAN_KD("KD from the same teacher, unmarked", false);

    final String description;
    final boolean marked;

    Condition(String description, boolean marked) {
      this.description = description;
      this.marked = marked;
    }

    public String description() {
      return description;
    }

    /** Whether students of this group learned from marked outputs (detection expected). */
    public boolean marked() {
      return marked;
    }
  }

  /**
   * The experiment's settings.
   *
   * @param students students (and keys) per condition
   * @param transferImages training images the students learn from
   * @param fineTuneImages other training images for the fine-tune
   * @param otherTeacherImages other training images the different teacher learns from
   * @param epochs student epochs on the transfer set
   * @param fineTuneEpochs epochs of the fine-tune
   * @param hidden the student MLP's hidden width
   * @param batchSize batch size
   * @param learningRate Adam's learning rate
   * @param epsilon the watermark's strength
   * @param frequency the keys' frequency
   * @param grid the keys' grid
   * @param topK entries per soft label
   * @param temperature the soft labels' and the loss's temperature
   * @param alpha the loss's hard-label weight
   * @param probes images offered as probes (those of the key's class are skipped)
   * @param probeTransferSet probe with the transfer images (the inputs the suspect had labelled, as
   *     the teacher's owner knows them) instead of held-out test images
   * @param nullKeys null directions per test
   * @param seed seeds keys and students
   */
  public record Settings(
      int students,
      int transferImages,
      int fineTuneImages,
      int otherTeacherImages,
      int epochs,
      int fineTuneEpochs,
      int hidden,
      int batchSize,
      float learningRate,
      double epsilon,
      double frequency,
      int grid,
      int topK,
      float temperature,
      float alpha,
      int probes,
      boolean probeTransferSet,
      int nullKeys,
      long seed) {}

  /**
   * One student's outcome.
   *
   * @param student its index (and key's)
   * @param condition its group
   * @param accuracy test accuracy
   * @param result the detector's outcome with the student's key (log-probability scale, as {@code
   *     distillery detect})
   * @param withReference the same test with the unmarked teacher's outputs regressed out first
   *     ({@code distillery detect --reference})
   * @param relative the test on the relative log scale ({@link
   *     WatermarkDetector.Scale#RELATIVE_LOG_PROBABILITY}), no reference
   * @param relativeWithReference the relative log scale with the reference
   */
  public record Outcome(
      int student,
      Condition condition,
      double accuracy,
      WatermarkDetector.Result result,
      WatermarkDetector.Result withReference,
      WatermarkDetector.Result relative,
      WatermarkDetector.Result relativeWithReference) {}

  /**
   * Everything measured.
   *
   * @param outcomes every student's outcome
   * @param teacherCleanAccuracy the teacher's test accuracy
   * @param teacherMarkedAccuracy the marked teacher's test accuracy, one per key
   * @param meanPerturbation mean over keys and transfer images of max |q̂ − q|
   * @param seconds wall time
   */
  public record Report(
      List<Outcome> outcomes,
      double teacherCleanAccuracy,
      double[] teacherMarkedAccuracy,
      double meanPerturbation,
      double seconds) {

    /** Outcomes of one group. */
    public List<Outcome> of(Condition condition) {
      return outcomes.stream().filter(o -> o.condition() == condition).toList();
    }

    /** Share of a group detected at the detector's alpha. */
    public double detectionRate(Condition condition) {
      List<Outcome> group = of(condition);
      return group.stream().filter(o -> o.result().detected()).count() / (double) group.size();
    }

    /** Mean test accuracy of a group. */
    public double meanAccuracy(Condition condition) {
      return of(condition).stream().mapToDouble(Outcome::accuracy).average().orElse(Double.NaN);
    }

    /** Mean of (marked-teacher accuracy − teacher accuracy) over keys, in points. */
    public double teacherDeltaPoints() {
      double sum = 0;
      for (double a : teacherMarkedAccuracy) {
        sum += a - teacherCleanAccuracy;
      }
      return 100 * sum / teacherMarkedAccuracy.length;
    }

    /** The largest |Δ| of the teacher's accuracy over keys, in points. */
    public double teacherWorstDeltaPoints() {
      double worst = 0;
      for (double a : teacherMarkedAccuracy) {
        worst = Math.max(worst, Math.abs(a - teacherCleanAccuracy));
      }
      return 100 * worst;
    }

    /** Mean paired (marked KD − clean KD) student accuracy, in points. */
    public double studentDeltaPoints() {
      return 100 * (meanAccuracy(Condition.MARKED) - meanAccuracy(Condition.CLEAN_KD));
    }
  }

  /** The teacher under test: logits for images. */
  @FunctionalInterface
  public interface Teacher {
    float[] logits(LabeledImages images) throws Exception;
  }

  private final Settings settings;
  private final PrintStream log;

  public WatermarkExperiment(Settings settings, PrintStream log) {
    this.settings = settings;
    this.log = log;
  }

  /**
   * Runs it.
   *
   * @param train Fashion-MNIST training images (transfer, fine-tune and other-teacher sets are
   *     disjoint slices of them)
   * @param test test images (accuracy; the first {@code probes} are the probe set)
   */
  public Report run(Teacher teacher, LabeledImages train, LabeledImages test) throws Exception {
    long started = System.nanoTime();
    Settings s = settings;
    int needed = s.transferImages() + s.fineTuneImages() + s.otherTeacherImages();
    if (train.size() < needed) {
      throw new IllegalArgumentException(
          "the experiment needs " + needed + " training images, got " + train.size());
    }
    LabeledImages transfer = slice(train, 0, s.transferImages());
    LabeledImages fineTune = slice(train, s.transferImages(), s.fineTuneImages());
    LabeledImages otherData =
        slice(train, s.transferImages() + s.fineTuneImages(), s.otherTeacherImages());
    LabeledImages probes =
        s.probeTransferSet()
            ? transfer.head(Math.min(s.probes(), transfer.size()))
            : test.head(Math.min(s.probes(), test.size()));

    float[] teacherTransfer = teacher.logits(transfer);
    float[] teacherTest = teacher.logits(test);
    // The owner's unmarked teacher on the probes, the reference of `detect --reference`.
    float[] teacherProbes =
        java.util.Arrays.copyOf(
            s.probeTransferSet() ? teacherTransfer : teacherTest, probes.size() * CLASSES);
    float[] reference = softmax(teacherProbes);
    double cleanAccuracy = accuracy(teacherTest, test);
    log.printf(Locale.ROOT, "teacher: %.2f%% test accuracy%n", 100 * cleanAccuracy);

    List<SparseDistribution> cleanSoft = soft(teacherTransfer, transfer);
    List<SparseDistribution> otherSoft = otherTeacherSoft(otherData, transfer);

    NetworkSpec network = Networks.fashionMlp(0f, s.hidden());
    LossSettings kd = LossSettings.of(Divergence.FORWARD_KL, s.temperature(), s.alpha());
    SplittableRandom keys = new SplittableRandom(s.seed());
    List<Outcome> outcomes = new ArrayList<>();
    double[] markedAccuracy = new double[s.students()];
    double perturbation = 0;
    for (int i = 0; i < s.students(); i++) {
      WatermarkKey key =
          new WatermarkKey(
              keys.nextLong(),
              transfer.sampleSize(),
              CLASSES,
              keys.nextInt(CLASSES),
              s.frequency(),
              keys.nextDouble() * 2 * Math.PI,
              s.grid());
      CosineWatermark mark = new CosineWatermark(key, s.epsilon());
      float[] markedTest = markAll(mark, teacherTest, test, null);
      markedAccuracy[i] = accuracy(markedTest, test);
      double[] sizes = new double[1];
      List<SparseDistribution> markedSoft =
          soft(markAll(mark, teacherTransfer, transfer, sizes), transfer);
      perturbation += sizes[0] / transfer.size();
      WatermarkDetector detector =
          new WatermarkDetector(key, s.nullKeys(), WatermarkDetector.DEFAULT_ALPHA);
      WatermarkDetector relativeDetector =
          new WatermarkDetector(
              key,
              s.nullKeys(),
              WatermarkDetector.DEFAULT_ALPHA,
              WatermarkDetector.Scale.RELATIVE_LOG_PROBABILITY);
      WatermarkDetector.Result self =
          test(detector, probes, softmax(markAll(mark, teacherProbes, probes, null)), null);
      log.printf(
          Locale.ROOT,
          "key %d: the marked teacher itself p=%.3f R²=%.4f amp=%.4f mean=%.4f%n",
          i,
          self.pValue(),
          self.statistic(),
          self.amplitude(),
          self.meanTarget());
      long studentSeed = s.seed() * 1000 + i;

      Map<Condition, Outcome> row = new EnumMap<>(Condition.class);
      try (QuickStudent student = newStudent(network, studentSeed)) {
        student.train(transfer, markedSoft, kd, s.epochs());
        row.put(
            Condition.MARKED,
            outcome(
                i, Condition.MARKED, student, detector, relativeDetector, test, probes, reference));
        student.train(fineTune, null, QuickStudent.hardOnly(), s.fineTuneEpochs());
        row.put(
            Condition.MARKED_FINE_TUNED,
            outcome(
                i,
                Condition.MARKED_FINE_TUNED,
                student,
                detector,
                relativeDetector,
                test,
                probes,
                reference));
      }
      try (QuickStudent student = newStudent(network, studentSeed)) {
        student.train(transfer, null, QuickStudent.hardOnly(), s.epochs());
        row.put(
            Condition.HARD_LABELS,
            outcome(
                i,
                Condition.HARD_LABELS,
                student,
                detector,
                relativeDetector,
                test,
                probes,
                reference));
      }
      try (QuickStudent student = newStudent(network, studentSeed)) {
        student.train(transfer, otherSoft, kd, s.epochs());
        row.put(
            Condition.OTHER_TEACHER,
            outcome(
                i,
                Condition.OTHER_TEACHER,
                student,
                detector,
                relativeDetector,
                test,
                probes,
                reference));
      }
      try (QuickStudent student = newStudent(network, studentSeed)) {
        student.train(transfer, cleanSoft, kd, s.epochs());
        row.put(
            Condition.CLEAN_KD,
            outcome(
                i,
                Condition.CLEAN_KD,
                student,
                detector,
                relativeDetector,
                test,
                probes,
                reference));
      }
      outcomes.addAll(row.values());
      StringBuilder line =
          new StringBuilder(
              String.format(Locale.ROOT, "student %2d (class %d):", i, key.targetClass()));
      for (Outcome o : row.values()) {
        line.append(
            String.format(
                Locale.ROOT,
                " %s p=%.3f (with reference p=%.3f; relative p=%.3f, with reference p=%.3f)"
                    + " R²=%.4f (null median %.4f) amp=%.4f mean=%.4f acc=%.2f%%;",
                o.condition().name().toLowerCase(Locale.ROOT),
                o.result().pValue(),
                o.withReference().pValue(),
                o.relative().pValue(),
                o.relativeWithReference().pValue(),
                o.result().statistic(),
                o.result().nullMedian(),
                o.result().amplitude(),
                o.result().meanTarget(),
                100 * o.accuracy()));
      }
      log.println(line);
    }
    return new Report(
        outcomes,
        cleanAccuracy,
        markedAccuracy,
        perturbation / s.students(),
        (System.nanoTime() - started) / 1e9);
  }

  private QuickStudent newStudent(NetworkSpec network, long seed) {
    return new QuickStudent(network, seed, settings.batchSize(), settings.learningRate());
  }

  private Outcome outcome(
      int index,
      Condition condition,
      QuickStudent student,
      WatermarkDetector detector,
      WatermarkDetector relativeDetector,
      LabeledImages test,
      LabeledImages probes,
      float[] reference) {
    float[] testLogits = student.logits(test);
    double accuracy = accuracy(testLogits, test);
    float[] probeLogits =
        settings.probeTransferSet()
            ? student.logits(probes)
            : java.util.Arrays.copyOf(testLogits, probes.size() * CLASSES);
    float[] probs = softmax(probeLogits);
    return new Outcome(
        index,
        condition,
        accuracy,
        test(detector, probes, probs, null),
        test(detector, probes, probs, reference),
        test(relativeDetector, probes, probs, null),
        test(relativeDetector, probes, probs, reference));
  }

  /**
   * The detector's test on outputs already computed for every probe: the probes of the key's class
   * are left out, as {@link WatermarkDetector#test(LabeledImages,
   * io.distillery.models.watermark.Suspect)} does.
   */
  private static WatermarkDetector.Result test(
      WatermarkDetector detector, LabeledImages probes, float[] probs, float[] reference) {
    int[] useful =
        java.util.stream.IntStream.range(0, probes.size())
            .filter(i -> detector.useful(probes.labels()[i]))
            .toArray();
    float[] y = new float[useful.length * CLASSES];
    float[] r = reference == null ? null : new float[useful.length * CLASSES];
    for (int j = 0; j < useful.length; j++) {
      System.arraycopy(probs, useful[j] * CLASSES, y, j * CLASSES, CLASSES);
      if (r != null) {
        System.arraycopy(reference, useful[j] * CLASSES, r, j * CLASSES, CLASSES);
      }
    }
    LabeledImages chosen = probes.subset(useful);
    return detector.testDistributions(chosen.images(), y, chosen.labels(), r);
  }

  /** A different teacher: a wider MLP trained on other images' hard labels. */
  private List<SparseDistribution> otherTeacherSoft(LabeledImages data, LabeledImages transfer) {
    NetworkSpec network = Networks.fashionMlp(0f, 512);
    try (QuickStudent other = newStudent(network, settings.seed() + 77)) {
      other.train(data, null, QuickStudent.hardOnly(), Math.max(2, settings.epochs() / 2));
      return soft(other.logits(transfer), transfer);
    }
  }

  /** Marked logits of every row; adds the sum of max |q̂ − q| to {@code sizes[0]} when given. */
  private static float[] markAll(
      CosineWatermark mark, float[] logits, LabeledImages images, double[] sizes) {
    int per = images.sampleSize();
    float[] out = new float[logits.length];
    float[] input = new float[per];
    float[] row = new float[CLASSES];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.images(), i * per, input, 0, per);
      System.arraycopy(logits, i * CLASSES, row, 0, CLASSES);
      CosineWatermark.Marked marked = mark.markLogits(input, row);
      System.arraycopy(marked.logits(), 0, out, i * CLASSES, CLASSES);
      if (sizes != null) {
        sizes[0] += marked.perturbation();
      }
    }
    return out;
  }

  private List<SparseDistribution> soft(float[] logits, LabeledImages images) {
    List<SparseDistribution> out = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      out.add(TopK.of(logits, i * CLASSES, CLASSES, settings.topK(), settings.temperature()));
    }
    return out;
  }

  static float[] softmax(float[] logits) {
    float[] logProbs = LogSoftmax.apply(logits, CLASSES, 1f);
    for (int i = 0; i < logProbs.length; i++) {
      logProbs[i] = (float) Math.exp(logProbs[i]);
    }
    return logProbs;
  }

  static double accuracy(float[] logits, LabeledImages data) {
    int[] predicted = LogSoftmax.argMax(logits, CLASSES);
    int right = 0;
    for (int i = 0; i < predicted.length; i++) {
      right += predicted[i] == data.labels()[i] ? 1 : 0;
    }
    return right / (double) predicted.length;
  }

  private static LabeledImages slice(LabeledImages data, int from, int count) {
    int[] indices = new int[count];
    for (int i = 0; i < count; i++) {
      indices[i] = from + i;
    }
    return data.subset(indices);
  }
}
