package io.distillery.models.augment;

import io.distillery.models.data.LabeledImages;
import io.distillery.models.data.ShiftAugmentation;
import java.util.Locale;
import java.util.Random;

/**
 * An augmented transfer set: {@code viewsPerImage} views of every training image, labelled once by
 * the teacher and reused by every student. View 0 is the image itself; the others are shifted by up
 * to ±{@code maxShift} pixels per axis, mirrored left-right with probability ½ when {@code flip},
 * and — a {@code mixupFraction} of them — mixed with a second, independently augmented image with λ
 * ~ Beta({@code mixupAlpha}, {@code mixupAlpha}).
 *
 * <p>A view is a pure function of (seed, image index, view number), so any slice of the set, in any
 * process, yields the same views, and the ground truth travels with each (mixed for mixup) so that
 * a hard-label baseline trains on exactly the same inputs: augmentation is never credited to
 * distillation.
 *
 * @param viewsPerImage views per image, ≥ 1 (1 = the images alone)
 * @param maxShift largest shift in pixels per axis, ≥ 0
 * @param flip whether views may be mirrored left-right
 * @param mixupFraction share of the augmented views that are mixup pairs, in [0, 1]
 * @param mixupAlpha α of the Beta(α, α) mixing weight, > 0
 * @param seed seed of every random choice
 */
public record TransferSet(
    int viewsPerImage,
    int maxShift,
    boolean flip,
    float mixupFraction,
    float mixupAlpha,
    long seed) {

  /** Validates the settings, naming the option that is wrong. */
  public TransferSet {
    if (viewsPerImage < 1) {
      throw new IllegalArgumentException("views per image must be >= 1, got " + viewsPerImage);
    }
    if (maxShift < 0) {
      throw new IllegalArgumentException("shift must be >= 0 pixels, got " + maxShift);
    }
    if (!(mixupFraction >= 0 && mixupFraction <= 1)) {
      throw new IllegalArgumentException("mixup fraction must be in [0, 1], got " + mixupFraction);
    }
    if (!(mixupAlpha > 0) || Float.isInfinite(mixupAlpha)) {
      throw new IllegalArgumentException("mixup alpha must be > 0, got " + mixupAlpha);
    }
  }

  /** The images alone: one view each, no augmentation. */
  public static TransferSet plain() {
    return new TransferSet(1, 0, false, 0f, 1f, 0L);
  }

  /**
   * One view of a training image.
   *
   * @param image index of the (first) source image
   * @param view view number, 0 = the image itself
   * @param pixels the view, (channels, rows, cols) row-major
   * @param label ground truth of the first source image
   * @param secondImage index of the mixup partner, or -1
   * @param secondLabel its ground truth, or -1
   * @param weight λ, the weight of the first image and label (1 without mixup)
   * @param transform what was done, e.g. {@code shift(1,-2)+flip} or {@code
   *     mixup(0.637;shift(0,1);shift(-2,2)+flip)}
   */
  public record View(
      int image,
      int view,
      float[] pixels,
      int label,
      int secondImage,
      int secondLabel,
      float weight,
      String transform) {

    /** Whether the view mixes two images. */
    public boolean mixed() {
      return secondImage >= 0;
    }

    /** The prompt id of this view: {@code <prefix><image>} for view 0, else {@code …-v<view>}. */
    public String id(String prefix) {
      return view == 0 ? prefix + image : prefix + image + "-v" + view;
    }
  }

  /** Views in the whole set: images × views per image. */
  public long size(int images) {
    return (long) images * viewsPerImage;
  }

  /**
   * View {@code view} of image {@code image}.
   *
   * @throws IndexOutOfBoundsException when either is out of range
   */
  public View view(LabeledImages images, int image, int view) {
    if (image < 0 || image >= images.size() || view < 0 || view >= viewsPerImage) {
      throw new IndexOutOfBoundsException(
          "view "
              + view
              + " of image "
              + image
              + " outside "
              + images.size()
              + "×"
              + viewsPerImage);
    }
    float[] first = pixels(images, image);
    int label = images.labels()[image];
    if (view == 0) {
      return new View(image, 0, first, label, -1, -1, 1f, "identity");
    }
    Random random = new Random(mix(mix(seed, image), view));
    String firstTransform = augment(images, first, random);
    if (images.size() < 2 || random.nextFloat() >= mixupFraction) {
      return new View(image, view, first, label, -1, -1, 1f, firstTransform);
    }
    int partner = random.nextInt(images.size() - 1);
    partner = partner >= image ? partner + 1 : partner; // never the image itself
    float[] second = pixels(images, partner);
    String secondTransform = augment(images, second, random);
    float lambda = (float) Mixup.beta(random, mixupAlpha);
    float[] mixed = new float[first.length];
    Mixup.mix(first, second, lambda, mixed);
    return new View(
        image,
        view,
        mixed,
        label,
        partner,
        images.labels()[partner],
        lambda,
        String.format(Locale.ROOT, "mixup(%.4f;%s;%s)", lambda, firstTransform, secondTransform));
  }

  /** Shifts and flips {@code pixels} in place; returns what it did. */
  private String augment(LabeledImages images, float[] pixels, Random random) {
    int dy = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
    int dx = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
    boolean mirrored = flip && random.nextBoolean();
    if (dy != 0 || dx != 0) {
      float[] source = pixels.clone();
      ShiftAugmentation.shift(
          source, pixels, 0, images.channels(), images.rows(), images.cols(), dy, dx);
    }
    if (mirrored) {
      mirror(pixels, images.channels(), images.rows(), images.cols());
    }
    String shift = String.format(Locale.ROOT, "shift(%d,%d)", dy, dx);
    return mirrored ? shift + "+flip" : shift;
  }

  private static void mirror(float[] pixels, int channels, int rows, int cols) {
    for (int row = 0; row < channels * rows; row++) {
      int base = row * cols;
      for (int x = 0; x < cols / 2; x++) {
        float t = pixels[base + x];
        pixels[base + x] = pixels[base + cols - 1 - x];
        pixels[base + cols - 1 - x] = t;
      }
    }
  }

  private static float[] pixels(LabeledImages images, int index) {
    int size = images.sampleSize();
    float[] out = new float[size];
    System.arraycopy(images.images(), index * size, out, 0, size);
    return out;
  }

  private static long mix(long seed, long value) {
    long z = seed * 0x9E3779B97F4A7C15L + value + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
