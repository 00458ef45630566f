package io.distillery.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import io.distillery.models.runtime.OwnedArrays;

/**
 * The knowledge-distillation loss of {@link LossSettings} on DJL arrays, differentiable by DJL's
 * autograd:
 *
 * <pre>
 *   per sample: alpha · w · CE(h, softmax(z)) + (1 − alpha) · T² · D(P ‖ Q),   Q = softmax(z / T)
 *   loss      : the mean over the batch
 * </pre>
 *
 * with h the hard target and w = 0 for unlabelled samples, per output position (a sample of a
 * classifier, a token of a language model). D compares the teacher's kept ids one by one — the
 * student's log-probabilities are gathered at them, nothing vocabulary-sized is built from Java —
 * and its tail mass with the student's remaining probability as one "rest" bucket ({@link
 * SoftTargets}).
 *
 * <p>As a DJL {@link Loss}, {@link #evaluate} takes the labels from {@link #labels} and the logits
 * as the single prediction; {@link #terms} also returns the two parts for metrics.
 */
public final class DistillationLoss extends Loss {

  // Added to the log-probabilities of kept classes so the rest bucket's log-sum-exp ignores them;
  // exp(-1e4) is exactly 0 in float32 and float64.
  private static final float MASKED = -1e4f;
  // Floor inside logarithms of teacher probabilities and mixtures (fp16 tails can be exactly 0).
  private static final float TINY = 1e-12f;

  // Arrays of SoftTargets.toNDList and HardTargets.toNDList.
  private static final int SOFT_ARRAYS = 5;
  private static final int HARD_ARRAYS = 3;

  private final LossSettings settings;

  public DistillationLoss(LossSettings settings) {
    super("distillation-" + settings.divergence().configName());
    this.settings = settings;
  }

  /** The settings this loss computes. */
  public LossSettings settings() {
    return settings;
  }

  /** The loss and its parts, each a scalar array of the logits' data type. */
  public record Terms(NDArray total, NDArray hard, NDArray soft) {}

  /**
   * Packs a batch's targets as {@link #evaluate}'s labels.
   *
   * @param soft teacher distributions; may be null only when alpha is 1 (hard labels only)
   * @param hard ground truth
   * @param dataType the logits' data type
   */
  public NDList labels(NDManager manager, SoftTargets soft, HardTargets hard, DataType dataType) {
    NDList labels = new NDList(SOFT_ARRAYS + HARD_ARRAYS);
    if (soft != null) {
      if (soft.rows() != hard.rows() || soft.classes() != hard.classes()) {
        throw new IllegalArgumentException(
            "soft targets are "
                + soft.rows()
                + " rows of "
                + soft.classes()
                + " classes but hard targets "
                + hard.rows()
                + " of "
                + hard.classes());
      }
      labels.addAll(soft.toNDList(manager, dataType));
    } else if (settings.alpha() < 1) {
      throw new IllegalArgumentException(
          "soft targets are required when alpha (hard-label weight) is "
              + settings.alpha()
              + " < 1");
    }
    labels.addAll(hard.toNDList(manager, dataType));
    return labels;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return terms(labels, predictions.singletonOrThrow()).total();
  }

  /**
   * Computes the loss of a batch.
   *
   * @param labels from {@link #labels}
   * @param logits (rows, classes) student logits, one row per output position
   * @return the mean total loss, the mean weighted hard cross-entropy (over labelled rows) and the
   *     mean divergence (at T, without the T² factor)
   */
  public Terms terms(NDList labels, NDArray logits) {
    boolean hasSoft = labels.size() == SOFT_ARRAYS + HARD_ARRAYS;
    if (!hasSoft && labels.size() != HARD_ARRAYS) {
      throw new IllegalArgumentException(
          "expected "
              + (SOFT_ARRAYS + HARD_ARRAYS)
              + " label arrays (soft and hard) or "
              + HARD_ARRAYS
              + " (hard only), got "
              + labels.size());
    }
    OwnedArrays scalars = new OwnedArrays(logits);
    int h = hasSoft ? SOFT_ARRAYS : 0;
    NDArray hardIds = labels.get(h);
    NDArray hardClassWeights = labels.get(h + 1);
    NDArray hardWeight = labels.get(h + 2).squeeze(1);
    NDArray crossEntropy =
        hardClassWeights.mul(logits.logSoftmax(1).gather(hardIds, 1)).sum(new int[] {1}).neg();
    NDArray weightedCe = crossEntropy.mul(hardWeight);
    NDArray hardMean = weightedCe.sum().div(hardWeight.sum().maximum(scalars.scalar(1)));

    float alpha = settings.alpha();
    if (!hasSoft) {
      return new Terms(weightedCe.mean(), hardMean, logits.getManager().zeros(hardMean.getShape()));
    }
    NDArray divergence = divergence(labels, logits, scalars);
    float t = settings.temperature();
    NDArray perSample = divergence.mul(scalars.scalar((1.0 - alpha) * t * t));
    if (alpha > 0) {
      perSample = perSample.add(weightedCe.mul(scalars.scalar(alpha)));
    }
    return new Terms(perSample.mean(), hardMean, divergence.mean());
  }

  /** Per-row divergence over the kept ids and the rest bucket. */
  private NDArray divergence(NDList labels, NDArray logits, OwnedArrays scalars) {
    NDArray ids = labels.get(0);
    NDArray p = labels.get(1);
    NDArray valid = labels.get(2);
    NDArray rest = labels.get(3);
    NDArray hasRest = labels.get(4);

    NDArray logQAll = logits.div(scalars.scalar(settings.temperature())).logSoftmax(1);
    NDArray logQ = logQAll.gather(ids, 1);
    // The student's rest bucket: log of the probability of every id the teacher did not keep,
    // from the logits with the kept ids pushed to exp(MASKED) = 0 (a constant: no gradient).
    NDArray keptMask =
        logits
            .getManager()
            .zeros(logQAll.getShape(), logQAll.getDataType())
            .scatter(
                ids, logits.getManager().full(ids.getShape(), MASKED, logQAll.getDataType()), 1);
    NDArray logQRest = logSumExp(logQAll.add(keptMask));
    NDArray logP = p.clip(TINY, 1f).log();
    NDArray logRest = rest.clip(TINY, 1f).log();

    return switch (settings.divergence()) {
      case FORWARD_KL -> kl(p, logP, logQ, valid, rest, logRest, logQRest, hasRest);
      case REVERSE_KL -> {
        NDArray q = logQ.exp().mul(valid);
        yield kl(q, logQ, logP, valid, logQRest.exp(), logQRest, logRest, hasRest);
      }
      case SKEW_KL -> {
        Mixture mixture = new Mixture(scalars, settings.divergenceParam());
        NDArray q = logQ.exp().mul(valid);
        NDArray logM = mixture.log(p, q);
        NDArray logMRest = mixture.log(rest, logQRest.exp());
        yield kl(p, logP, logM, valid, rest, logRest, logMRest, hasRest);
      }
      case JSD -> {
        Mixture mixture = new Mixture(scalars, settings.divergenceParam());
        NDArray q = logQ.exp().mul(valid);
        NDArray qRest = logQRest.exp();
        NDArray logM = mixture.log(p, q);
        NDArray logMRest = mixture.log(rest, qRest);
        NDArray teacherSide = kl(p, logP, logM, valid, rest, logRest, logMRest, hasRest);
        NDArray studentSide = kl(q, logQ, logM, valid, qRest, logQRest, logMRest, hasRest);
        yield mixture.weigh(teacherSide, studentSide);
      }
    };
  }

  /**
   * KL(A‖B) over the kept entries plus the rest bucket, per row: Σ_kept a·(log a − log b) + hasRest
   * · aRest·(log aRest − log bRest). {@code a} must be 0 on padding entries.
   */
  private static NDArray kl(
      NDArray a,
      NDArray logA,
      NDArray logB,
      NDArray valid,
      NDArray aRest,
      NDArray logARest,
      NDArray logBRest,
      NDArray hasRest) {
    NDArray keptPart = a.mul(logA.sub(logB)).mul(valid).sum(new int[] {1});
    NDArray restPart = aRest.mul(logARest.sub(logBRest)).mul(hasRest).squeeze(1);
    return keptPart.add(restPart);
  }

  /** w·a + (1−w)·b with both weights as arrays PyTorch owns. */
  private record Mixture(NDArray weight, NDArray complement) {
    Mixture(OwnedArrays scalars, float w) {
      // Weights in double: 1 - w in float would differ from the exact weight by ~1e-8.
      this(scalars.scalar(w), scalars.scalar(1.0 - (double) w));
    }

    NDArray weigh(NDArray a, NDArray b) {
      return a.mul(weight).add(b.mul(complement));
    }

    /** log(w·a + (1−w)·b), floored. */
    NDArray log(NDArray a, NDArray b) {
      return weigh(a, b).clip(TINY, 1f).log();
    }
  }

  /** Row-wise log Σ exp(x), (batch, 1), stable. */
  private static NDArray logSumExp(NDArray x) {
    NDArray max = x.max(new int[] {1}, true).stopGradient();
    return x.sub(max).exp().sum(new int[] {1}, true).log().add(max);
  }
}
