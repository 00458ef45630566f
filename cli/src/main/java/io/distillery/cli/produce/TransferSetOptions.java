package io.distillery.cli.produce;

import io.distillery.models.augment.TransferSet;
import picocli.CommandLine.Option;

/** The augmented transfer set options of {@code produce} (and the demo's defaults). */
public final class TransferSetOptions {

  @Option(
      names = "--views",
      paramLabel = "K",
      defaultValue = "1",
      description =
          "Views per image: the image itself and K-1 augmented views, each its own prompt"
              + " (default: ${DEFAULT-VALUE}).")
  int views = 1;

  @Option(
      names = "--shift",
      paramLabel = "PX",
      defaultValue = "2",
      description =
          "Augmented views: random shift up to ±PX pixels per axis (default: ${DEFAULT-VALUE}).")
  int shift = 2;

  @Option(
      names = "--flip",
      description = "Augmented views: mirror left-right with probability 1/2.")
  boolean flip;

  @Option(
      names = "--mixup",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description =
          "Augmented views: this share are mixup pairs with a second image, the ground truth"
              + " mixed the same way (default: ${DEFAULT-VALUE}).")
  float mixup;

  @Option(
      names = "--mixup-alpha",
      paramLabel = "A",
      defaultValue = "1",
      description = "Mixup weight λ ~ Beta(A, A) (default: ${DEFAULT-VALUE}).")
  float mixupAlpha = 1f;

  @Option(
      names = "--augment-seed",
      paramLabel = "SEED",
      defaultValue = "2026",
      description =
          "Seed of the views: the same seed gives the same views (default: ${DEFAULT-VALUE}).")
  long seed = 2026;

  /**
   * The transfer set these options describe.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  public TransferSet toTransferSet() {
    if (views == 1) {
      return TransferSet.plain();
    }
    return new TransferSet(views, shift, flip, mixup, mixupAlpha, seed);
  }
}
