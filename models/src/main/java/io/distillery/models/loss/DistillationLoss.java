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
 * with h the hard target and w = 0 for unlabelled samples. D compares the teacher's kept classes
 * one by one and its tail mass with the student's remaining probability as one "rest" bucket
 * ({@link SoftTargets}).
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
    NDList labels = new NDList(6);
    if (soft != null) {
      if (soft.rows() != hard.rows() || soft.classes() != hard.classes()) {
        throw new IllegalArgumentException(
            "soft targets are "
                + soft.rows()
                + "×"
                + soft.classes()
                + " but hard targets "
                + hard.rows()
                + "×"
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
   * @param logits (batch, classes) student logits
   * @return the mean total loss, the mean weighted hard cross-entropy (over labelled samples) and
   *     the mean divergence (at T, without the T² factor)
   */
  public Terms terms(NDList labels, NDArray logits) {
    boolean hasSoft = labels.size() == 6;
    if (!hasSoft && labels.size() != 2) {
      throw new IllegalArgumentException(
          "expected 6 label arrays (soft and hard) or 2 (hard only), got " + labels.size());
    }
    OwnedArrays scalars = new OwnedArrays(logits);
    int h = hasSoft ? 4 : 0;
    NDArray hardProbs = labels.get(h);
    NDArray hardWeight = labels.get(h + 1).squeeze(1);
    NDArray crossEntropy = hardProbs.mul(logits.logSoftmax(1)).sum(new int[] {1}).neg();
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

  /** Per-sample divergence (batch). */
  private NDArray divergence(NDList labels, NDArray logits, OwnedArrays scalars) {
    NDArray p = labels.get(0);
    NDArray kept = labels.get(1);
    NDArray rest = labels.get(2);
    NDArray hasRest = labels.get(3);

    NDArray logQ = logits.div(scalars.scalar(settings.temperature())).logSoftmax(1);
    // The student's rest bucket: log of the probability of every class the teacher did not keep.
    NDArray logQRest = logSumExp(logQ.add(kept.mul(scalars.scalar(MASKED))));
    NDArray logP = p.clip(TINY, 1f).log();
    NDArray logRest = rest.clip(TINY, 1f).log();

    return switch (settings.divergence()) {
      case FORWARD_KL -> kl(p, logP, logQ, kept, rest, logRest, logQRest, hasRest);
      case REVERSE_KL -> {
        NDArray q = logQ.exp().mul(kept);
        yield kl(q, logQ, logP, kept, logQRest.exp(), logQRest, logRest, hasRest);
      }
      case SKEW_KL -> {
        Mixture mixture = new Mixture(scalars, settings.divergenceParam());
        NDArray q = logQ.exp().mul(kept);
        NDArray logM = mixture.log(p, q);
        NDArray logMRest = mixture.log(rest, logQRest.exp());
        yield kl(p, logP, logM, kept, rest, logRest, logMRest, hasRest);
      }
      case JSD -> {
        Mixture mixture = new Mixture(scalars, settings.divergenceParam());
        NDArray q = logQ.exp().mul(kept);
        NDArray qRest = logQRest.exp();
        NDArray logM = mixture.log(p, q);
        NDArray logMRest = mixture.log(rest, qRest);
        NDArray teacherSide = kl(p, logP, logM, kept, rest, logRest, logMRest, hasRest);
        NDArray studentSide = kl(q, logQ, logM, kept, qRest, logQRest, logMRest, hasRest);
        yield mixture.weigh(teacherSide, studentSide);
      }
    };
  }

  /**
   * KL(A‖B) over the kept classes plus the rest bucket, per sample: Σ_kept a·(log a − log b) +
   * hasRest · aRest·(log aRest − log bRest). {@code a} must be 0 outside the kept classes.
   */
  private static NDArray kl(
      NDArray a,
      NDArray logA,
      NDArray logB,
      NDArray kept,
      NDArray aRest,
      NDArray logARest,
      NDArray logBRest,
      NDArray hasRest) {
    NDArray keptPart = a.mul(logA.sub(logB)).mul(kept).sum(new int[] {1});
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
