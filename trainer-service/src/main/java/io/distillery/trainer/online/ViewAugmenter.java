package io.distillery.trainer.online;

import io.distillery.models.augment.Mixup;
import io.distillery.models.data.ShiftAugmentation;
import io.distillery.models.loss.HardLabel;
import io.distillery.models.loss.HardTargets;
import io.distillery.models.task.ExampleInput;
import io.distillery.trainer.labels.SoftLabel;
import java.util.List;
import java.util.Random;

/**
 * The views an online job shows student and teacher: each input shifted by up to ±{@code
 * shiftPixels} per axis (images only) and, with {@code mixupAlpha > 0}, mixed with another input of
 * the batch: {@code λ·x_i + (1−λ)·x_j} with λ ~ Beta(α, α) (Zhang et al. 2018; the "function
 * matching" recipe of Beyer et al. 2022). The ground truth is mixed the same way; a pair with an
 * unlabelled sample has no hard target. Deterministic for a seed.
 */
public final class ViewAugmenter {

  private final long[] shape;
  private final int sampleSize;
  private final ShiftAugmentation shifts;
  private final float mixupAlpha;

  public ViewAugmenter(long[] sampleShape, int shiftPixels, float mixupAlpha) {
    if (!(mixupAlpha >= 0)) {
      throw new IllegalArgumentException(
          "distillery.trainer.online.mixup-alpha must be >= 0, got " + mixupAlpha);
    }
    this.shape = sampleShape.clone();
    int size = 1;
    for (long d : sampleShape) {
      size *= (int) d;
    }
    this.sampleSize = size;
    this.shifts = new ShiftAugmentation(shiftPixels);
    this.mixupAlpha = mixupAlpha;
  }

  /**
   * The views of a batch and their hard targets.
   *
   * @param inputs row-major (count, sample...) views
   * @param hard ground truth of each view
   */
  public record Views(float[] inputs, HardTargets hard) {}

  /** Makes the views of these labels. */
  public Views views(List<SoftLabel> labels, int classes, long seed) {
    Random random = new Random(seed);
    int n = labels.size();
    float[] views = new float[n * sampleSize];
    for (int i = 0; i < n; i++) {
      System.arraycopy(input(labels.get(i)), 0, views, i * sampleSize, sampleSize);
    }
    if (shape.length == 3) {
      shifts.apply(views, n, (int) shape[0], (int) shape[1], (int) shape[2], random);
    }
    HardTargets.Builder hard = HardTargets.builder(classes, n);
    if (mixupAlpha == 0 || n < 2) {
      for (SoftLabel label : labels) {
        hard.add(truth(label));
      }
      return new Views(views, hard.build());
    }
    float[] shifted = views.clone();
    for (int i = 0; i < n; i++) {
      int j = random.nextInt(n);
      float lambda = (float) Mixup.beta(random, mixupAlpha);
      for (int v = 0; v < sampleSize; v++) {
        views[i * sampleSize + v] =
            lambda * shifted[i * sampleSize + v] + (1 - lambda) * shifted[j * sampleSize + v];
      }
      HardLabel a = truth(labels.get(i));
      HardLabel b = truth(labels.get(j));
      if (a.present() && b.present()) {
        hard.addMixed(a.label(), b.label(), lambda);
      } else {
        hard.addUnlabelled();
      }
    }
    return new Views(views, hard.build());
  }

  /** Online views are of images: the dense input of a classification example. */
  private static float[] input(SoftLabel label) {
    return ((ExampleInput.Dense) label.example().input()).values();
  }

  private static HardLabel truth(SoftLabel label) {
    return label.example().truths().get(0);
  }
}
