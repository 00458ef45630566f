package io.distillery.models.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import io.distillery.proto.v1.SparseDistribution;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The distillation losses against an independent plain-Java (double) implementation, their DJL
 * autograd gradients against finite differences, and the properties the issue names. Plain JUnit:
 * pure math on the PyTorch engine, no service involved.
 */
class DistillationLossTest {

  private static final int CLASSES = 10;
  private static final int ROWS = 6;
  private static NDManager manager;

  @BeforeAll
  static void engine() {
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @ParameterizedTest
  @EnumSource(Divergence.class)
  void matchesThePlainJavaReferenceOnSparseTargetsWithATail(Divergence divergence) {
    Random random = new Random(7);
    double[] logits = randomLogits(random, ROWS);
    SoftTargets soft = sparseTeacher(random, ROWS, 3);
    HardTargets hard = labels(random, ROWS, true);
    LossSettings settings = LossSettings.of(divergence, 2f, 0.3f);

    double djl = djlLoss(settings, logits, soft, hard, DataType.FLOAT64);

    assertEquals(reference(settings, logits, soft, hard), djl, 1e-9);
  }

  @ParameterizedTest
  @EnumSource(Divergence.class)
  void autogradGradientMatchesFiniteDifferences(Divergence divergence) {
    Random random = new Random(11);
    double[] logits = randomLogits(random, ROWS);
    // Half the rows keep 3 classes and a tail, half keep all 10: both code paths are checked.
    SoftTargets.Builder builder = SoftTargets.builder(CLASSES, ROWS);
    for (int r = 0; r < ROWS; r++) {
      builder.add(topK(randomDistribution(random), r % 2 == 0 ? 3 : CLASSES));
    }
    SoftTargets soft = builder.build();
    HardTargets hard = labels(random, ROWS, true);
    DistillationLoss loss = new DistillationLoss(LossSettings.of(divergence, 3f, 0.25f));

    double[] analytic;
    try (NDManager batch = manager.newSubManager()) {
      NDArray z = batch.create(logits, new Shape(ROWS, CLASSES));
      z.setRequiresGradient(true);
      NDList labels = loss.labels(batch, soft, hard, DataType.FLOAT64);
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        collector.backward(loss.evaluate(labels, new NDList(z)));
      }
      analytic = z.getGradient().toDoubleArray();
    }

    double h = 1e-6;
    for (int i = 0; i < logits.length; i++) {
      double[] plus = logits.clone();
      double[] minus = logits.clone();
      plus[i] += h;
      minus[i] -= h;
      double numeric =
          (djlLoss(loss.settings(), plus, soft, hard, DataType.FLOAT64)
                  - djlLoss(loss.settings(), minus, soft, hard, DataType.FLOAT64))
              / (2 * h);
      assertEquals(numeric, analytic[i], 1e-6, divergence + ": d loss / d logit " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Divergence.class)
  void denseTargetsEqualSparseTargetsWhenKCoversAllClasses(Divergence divergence) {
    Random random = new Random(3);
    double[] logits = randomLogits(random, ROWS);
    SoftTargets.Builder sparse = SoftTargets.builder(CLASSES, ROWS);
    SoftTargets.Builder dense = SoftTargets.builder(CLASSES, ROWS);
    double[][] teacher = new double[ROWS][];
    for (int r = 0; r < ROWS; r++) {
      teacher[r] = randomDistribution(random);
      sparse.add(topK(teacher[r], CLASSES));
      float[] probs = new float[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        probs[c] = (float) teacher[r][c];
      }
      dense.addDense(probs);
    }
    HardTargets hard = labels(random, ROWS, false);
    LossSettings settings = LossSettings.of(divergence, 2f, 0f);

    double fromSparse = djlLoss(settings, logits, sparse.build(), hard, DataType.FLOAT64);
    double fromDense = djlLoss(settings, logits, dense.build(), hard, DataType.FLOAT64);

    assertEquals(fromDense, fromSparse, 1e-6);
    assertEquals(denseReference(settings, logits, teacher), fromSparse, 1e-6);
    assertTrue(fromSparse > 1e-3, "a random teacher is far from the student: " + fromSparse);
  }

  @ParameterizedTest
  @EnumSource(Divergence.class)
  void isZeroWhenTheStudentEqualsTheTeacherEvenWithTopThreeAndATail(Divergence divergence) {
    Random random = new Random(5);
    double[] logits = randomLogits(random, ROWS);
    float temperature = 2f;
    SoftTargets.Builder builder = SoftTargets.builder(CLASSES, ROWS);
    for (int r = 0; r < ROWS; r++) {
      builder.add(topK(softmax(logits, r, temperature), 3));
    }
    LossSettings settings = LossSettings.of(divergence, temperature, 0f);

    double loss =
        djlLoss(settings, logits, builder.build(), labels(random, ROWS, false), DataType.FLOAT32);

    assertEquals(0, loss, 1e-5);
  }

  @Test
  void renormalisedTopKTargetsWithoutTheTailCannotReachZero() {
    Random random = new Random(5);
    double[] logits = randomLogits(random, ROWS);
    SoftTargets.Builder builder = SoftTargets.builder(CLASSES, ROWS);
    for (int r = 0; r < ROWS; r++) {
      SparseDistribution top3 = topK(softmax(logits, r, 1f), 3);
      builder.add(top3.toBuilder().setTailMass(0f).build());
    }
    LossSettings settings = LossSettings.of(Divergence.FORWARD_KL, 1f, 0f);

    double loss =
        djlLoss(settings, logits, builder.build(), labels(random, ROWS, false), DataType.FLOAT32);

    assertTrue(loss > 0.05, "dropping the tail misstates the teacher: loss " + loss);
  }

  @Test
  void forwardKlIsScaledByTemperatureSquared() {
    Random random = new Random(9);
    double[] logits = randomLogits(random, ROWS);
    SoftTargets soft = sparseTeacher(random, ROWS, 4);
    HardTargets hard = labels(random, ROWS, false);

    double atOne =
        djlLoss(
            LossSettings.of(Divergence.FORWARD_KL, 4f, 0f), logits, soft, hard, DataType.FLOAT64);
    double divergence =
        reference(LossSettings.of(Divergence.FORWARD_KL, 4f, 0f), logits, soft, hard);

    assertEquals(divergence, atOne, 1e-9);
    assertEquals(16 * klOnly(logits, soft, 4f), atOne, 1e-9);
  }

  @Test
  void alphaOneIsDjlsSoftmaxCrossEntropyOnHardLabels() {
    Random random = new Random(13);
    double[] logits = randomLogits(random, ROWS);
    HardTargets.Builder hard = HardTargets.builder(CLASSES, ROWS);
    float[] classes = new float[ROWS];
    for (int r = 0; r < ROWS; r++) {
      int label = random.nextInt(CLASSES);
      classes[r] = label;
      hard.add(label);
    }
    DistillationLoss loss = new DistillationLoss(LossSettings.of(Divergence.FORWARD_KL, 2f, 1f));

    try (NDManager batch = manager.newSubManager()) {
      NDArray z = batch.create(logits, new Shape(ROWS, CLASSES)).toType(DataType.FLOAT32, false);
      float ours =
          loss.evaluate(loss.labels(batch, null, hard.build(), DataType.FLOAT32), new NDList(z))
              .getFloat();
      float djl =
          Loss.softmaxCrossEntropyLoss()
              .evaluate(new NDList(batch.create(classes)), new NDList(z))
              .getFloat();
      assertEquals(djl, ours, 1e-5);
    }
  }

  @Test
  void unlabelledSamplesContributeOnlyTheSoftTerm() {
    Random random = new Random(17);
    double[] logits = randomLogits(random, ROWS);
    SoftTargets soft = sparseTeacher(random, ROWS, 3);
    LossSettings settings = LossSettings.of(Divergence.FORWARD_KL, 2f, 0.5f);

    double unlabelled =
        djlLoss(settings, logits, soft, labels(random, ROWS, false), DataType.FLOAT64);

    assertEquals(0.5 * 4 * klOnly(logits, soft, 2f), unlabelled, 1e-9);
  }

  @Test
  void retemperingACompleteDistributionIsExact() {
    Random random = new Random(19);
    double[] logits = randomLogits(random, 1);
    SparseDistribution atOne = topK(softmax(logits, 0, 1f), CLASSES);

    SparseDistribution atThree = SoftTargets.retemper(atOne, CLASSES, 1f, 3f);

    double[] expected = softmax(logits, 0, 3f);
    for (int i = 0; i < atThree.getIdsCount(); i++) {
      assertEquals(Math.log(expected[atThree.getIds(i)]), atThree.getLogProbs(i), 1e-5, "id " + i);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> SoftTargets.retemper(topK(expected, 3), CLASSES, 1f, 3f));
  }

  @Test
  void settingsNameTheWrongField() {
    IllegalArgumentException alpha =
        assertThrows(
            IllegalArgumentException.class, () -> LossSettings.of(Divergence.FORWARD_KL, 2f, 1.5f));
    assertTrue(alpha.getMessage().contains("alpha"), alpha.getMessage());
    IllegalArgumentException beta =
        assertThrows(
            IllegalArgumentException.class, () -> new LossSettings(Divergence.JSD, 2f, 0f, 1f));
    assertTrue(beta.getMessage().contains("jsd"), beta.getMessage());
    IllegalArgumentException name =
        assertThrows(IllegalArgumentException.class, () -> Divergence.fromName("kl"));
    assertTrue(name.getMessage().contains("forward-kl"), name.getMessage());
    assertEquals(
        LossSettings.of(Divergence.SKEW_KL, 2f, 0.5f),
        LossSettings.fromProto(LossSettings.of(Divergence.SKEW_KL, 2f, 0.5f).toProto()));
  }

  @Test
  void aLanguageModelSizedVocabularyNeedsNoVocabularySizedTargets() {
    int vocabulary = 50_257;
    int rows = 64;
    Random random = new Random(21);
    SoftTargets.Builder soft = SoftTargets.builder(vocabulary, rows);
    HardTargets.Builder hard = HardTargets.builder(vocabulary, rows);
    for (int r = 0; r < rows; r++) {
      SparseDistribution.Builder top = SparseDistribution.newBuilder();
      int first = random.nextInt(vocabulary - 16);
      for (int i = 0; i < 8; i++) {
        top.addIds(first + 2 * i).addLogProbs((float) Math.log(0.1));
      }
      soft.add(top.setTailMass(0.2f).build());
      hard.add(first);
    }
    DistillationLoss loss = new DistillationLoss(LossSettings.of(Divergence.FORWARD_KL, 1f, 0.5f));
    try (NDManager batch = manager.newSubManager()) {
      NDList labels = loss.labels(batch, soft.build(), hard.build(), DataType.FLOAT32);
      for (NDArray label : labels) {
        assertTrue(label.size() <= rows * 8L, "a label array of " + label.getShape());
      }
      // Uniform student logits: q = 1/V everywhere, so the loss has a closed form.
      NDArray z = batch.zeros(new Shape(rows, vocabulary));
      double q = 1.0 / vocabulary;
      double kl = 8 * 0.1 * Math.log(0.1 / q) + 0.2 * Math.log(0.2 / (1 - 8 * q));
      double ce = -Math.log(q);
      assertEquals(0.5 * ce + 0.5 * kl, loss.evaluate(labels, new NDList(z)).getFloat(), 1e-3);
    }
  }

  @Test
  void badSparseRowsAreRejectedNamingTheProblem() {
    SoftTargets.Builder builder = SoftTargets.builder(CLASSES, 2);
    IllegalArgumentException outOfRange =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                builder.add(SparseDistribution.newBuilder().addIds(12).addLogProbs(-0.1f).build()));
    assertTrue(outOfRange.getMessage().contains("id 12"), outOfRange.getMessage());
    assertEquals(0, builder.size());
  }

  // ---- DJL evaluation -------------------------------------------------------------------------

  private static double djlLoss(
      LossSettings settings,
      double[] logits,
      SoftTargets soft,
      HardTargets hard,
      DataType dataType) {
    DistillationLoss loss = new DistillationLoss(settings);
    try (NDManager batch = manager.newSubManager()) {
      NDArray z =
          batch.create(logits, new Shape(logits.length / CLASSES, CLASSES)).toType(dataType, false);
      return loss.evaluate(loss.labels(batch, soft, hard, dataType), new NDList(z))
          .toType(DataType.FLOAT64, false)
          .getDouble();
    }
  }

  // ---- the plain-Java reference (double precision) --------------------------------------------

  private static double reference(
      LossSettings settings, double[] logits, SoftTargets soft, HardTargets hard) {
    double total = 0;
    int rows = soft.rows();
    float t = settings.temperature();
    for (int r = 0; r < rows; r++) {
      double[] q = softmax(logits, r, t);
      double[] q1 = softmax(logits, r, 1f);
      double ce = 0;
      for (int c = 0; c < CLASSES; c++) {
        ce -= hard.prob(r, c) * Math.log(q1[c]);
      }
      double[][] buckets = buckets(soft, r, q);
      double d = divergence(settings, buckets[0], buckets[1]);
      total += settings.alpha() * hard.weight()[r] * ce + (1 - settings.alpha()) * t * t * d;
    }
    return total / rows;
  }

  /** The teacher's and student's bucket probabilities: kept classes, then the rest if any. */
  private static double[][] buckets(SoftTargets soft, int r, double[] q) {
    int kept = 0;
    for (int c = 0; c < CLASSES; c++) {
      kept += soft.keeps(r, c) ? 1 : 0;
    }
    boolean rest = soft.hasRest()[r] > 0;
    double[] p = new double[kept + (rest ? 1 : 0)];
    double[] s = new double[p.length];
    int i = 0;
    double qRest = 0;
    for (int c = 0; c < CLASSES; c++) {
      if (soft.keeps(r, c)) {
        p[i] = soft.prob(r, c);
        s[i++] = q[c];
      } else {
        qRest += q[c];
      }
    }
    if (rest) {
      p[i] = soft.tail()[r];
      s[i] = qRest;
    }
    return new double[][] {p, s};
  }

  private static double denseReference(LossSettings settings, double[] logits, double[][] teacher) {
    double total = 0;
    float t = settings.temperature();
    for (int r = 0; r < teacher.length; r++) {
      total += t * t * divergence(settings, teacher[r], softmax(logits, r, t));
    }
    return total / teacher.length;
  }

  private static double klOnly(double[] logits, SoftTargets soft, float t) {
    double total = 0;
    for (int r = 0; r < soft.rows(); r++) {
      double[][] b = buckets(soft, r, softmax(logits, r, t));
      total += kl(b[0], b[1]);
    }
    return total / soft.rows();
  }

  private static double divergence(LossSettings settings, double[] p, double[] q) {
    return switch (settings.divergence()) {
      case FORWARD_KL -> kl(p, q);
      case REVERSE_KL -> kl(q, p);
      case SKEW_KL -> kl(p, mix(p, q, settings.divergenceParam()));
      case JSD -> {
        double beta = settings.divergenceParam();
        double[] m = mix(p, q, beta);
        yield beta * kl(p, m) + (1 - beta) * kl(q, m);
      }
    };
  }

  private static double kl(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] > 0) {
        sum += a[i] * (Math.log(a[i]) - Math.log(b[i]));
      }
    }
    return sum;
  }

  private static double[] mix(double[] a, double[] b, double w) {
    double[] m = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      m[i] = w * a[i] + (1 - w) * b[i];
    }
    return m;
  }

  // ---- fixtures -------------------------------------------------------------------------------

  private static double[] randomLogits(Random random, int rows) {
    double[] z = new double[rows * CLASSES];
    for (int i = 0; i < z.length; i++) {
      z[i] = random.nextGaussian() * 2;
    }
    return z;
  }

  static double[] softmax(double[] logits, int row, float t) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < CLASSES; c++) {
      max = Math.max(max, logits[row * CLASSES + c] / t);
    }
    double[] out = new double[CLASSES];
    double sum = 0;
    for (int c = 0; c < CLASSES; c++) {
      out[c] = Math.exp(logits[row * CLASSES + c] / t - max);
      sum += out[c];
    }
    for (int c = 0; c < CLASSES; c++) {
      out[c] /= sum;
    }
    return out;
  }

  static double[] randomDistribution(Random random) {
    double[] z = new double[CLASSES];
    for (int c = 0; c < CLASSES; c++) {
      z[c] = random.nextGaussian() * 2.5;
    }
    return softmax(z, 0, 1f);
  }

  /** The k most probable classes of a distribution, most probable first, with the exact tail. */
  static SparseDistribution topK(double[] probs, int k) {
    Integer[] order = IntStream.range(0, probs.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probs[i]).reversed());
    SparseDistribution.Builder out = SparseDistribution.newBuilder();
    double kept = 0;
    for (int i = 0; i < k; i++) {
      out.addIds(order[i]).addLogProbs((float) Math.log(probs[order[i]]));
      kept += probs[order[i]];
    }
    return out.setTailMass(k == probs.length ? 0f : (float) Math.max(0, 1 - kept)).build();
  }

  private static SoftTargets sparseTeacher(Random random, int rows, int k) {
    SoftTargets.Builder builder = SoftTargets.builder(CLASSES, rows);
    for (int r = 0; r < rows; r++) {
      builder.add(topK(randomDistribution(random), k));
    }
    return builder.build();
  }

  private static HardTargets labels(Random random, int rows, boolean labelled) {
    HardTargets.Builder builder = HardTargets.builder(CLASSES, rows);
    for (int r = 0; r < rows; r++) {
      if (labelled) {
        builder.add(random.nextInt(CLASSES));
      } else {
        builder.addUnlabelled();
      }
    }
    return builder.build();
  }
}
