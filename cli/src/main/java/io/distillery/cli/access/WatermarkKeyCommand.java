package io.distillery.cli.access;

import io.distillery.models.watermark.WatermarkKey;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery teacher watermark-key}: the secret key of the soft-label watermark. */
@Command(
    name = "watermark-key",
    mixinStandardHelpOptions = true,
    description =
        "Write a new secret watermark key for a classifier teacher (or, with --track lm, a"
            + " causal-LM teacher). teacher-service marks the"
            + " outputs of clients set with distillery.teacher.access.clients.<id>.watermark=true"
            + " (distillery.teacher.watermark.key-file); 'distillery detect --key' tests a suspect.")
public final class WatermarkKeyCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Key file to write (mode 600).")
  Path out;

  @Option(
      names = "--input-size",
      defaultValue = "784",
      description = "Values per flattened input (default: ${DEFAULT-VALUE}, Fashion-MNIST).")
  int inputSize;

  @Option(
      names = "--classes",
      defaultValue = "10",
      description = "The teacher's classes (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(
      names = "--frequency",
      description =
          "Radians per unit of projection (default: " + WatermarkKey.DEFAULT_FREQUENCY + ").")
  Double frequency;

  @Option(
      names = "--grid",
      defaultValue = "" + WatermarkKey.DEFAULT_GRID,
      description =
          "Cells per side of the smooth random direction over a square image; 0 draws one weight"
              + " per input value (default: ${DEFAULT-VALUE}).")
  int grid;

  @Option(names = "--force", description = "Overwrite an existing key file.")
  boolean force;

  @Option(
      names = "--track",
      defaultValue = "classification",
      description =
          "classification (a CosWM key) or lm (a causal-LM key: a secret vocabulary split and"
              + " context hash; default: ${DEFAULT-VALUE}).")
  String track;

  @Option(
      names = "--vocab-size",
      defaultValue = "512",
      description = "With --track lm: the teacher's vocabulary (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out) && !force) {
      System.err.println(
          out
              + " exists; a new key cannot test students marked with the old one (--force to"
              + " overwrite)");
      return 2;
    }
    if ("lm".equals(track)) {
      LmWatermarkKey.generate(
              vocabSize,
              frequency == null ? LmWatermarkKey.DEFAULT_FREQUENCY : frequency,
              LmWatermarkKey.DEFAULT_CONTEXT)
          .write(out);
      System.out.printf(
          "wrote causal-lm key %s (secret: keep it like a private key; never put it in the image"
              + " or the repo)%n",
          out);
      return 0;
    }
    if (!"classification".equals(track)) {
      System.err.println("--track must be classification or lm, got " + track);
      return 2;
    }
    WatermarkKey key =
        WatermarkKey.generate(
            inputSize,
            classes,
            frequency == null ? WatermarkKey.DEFAULT_FREQUENCY : frequency,
            grid);
    key.write(out);
    System.out.printf(
        "wrote %s (secret: keep it like a private key; never put it in the image or the repo)%n",
        out);
    return 0;
  }
}
