package io.distillery.cli.detect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.cli.data.DataOptions;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.watermark.WatermarkDetector;
import io.distillery.models.watermark.WatermarkKey;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code distillery detect}: was this model distilled from my marked outputs? Queries the suspect
 * on held-out Fashion-MNIST test images and tests its probability of the key's class for the key's
 * cosine ({@link WatermarkDetector}).
 */
@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description =
        "Test a suspect classifier for the teacher's soft-label watermark: prints the p-value, the"
            + " decision at --alpha, the number of queries and the probe set. Exit code 0 either"
            + " way; 2 on bad input.")
public final class DetectCommand implements Callable<Integer> {

  static final class Target {
    @Option(
        names = "--checkpoint",
        paramLabel = "DIR",
        description =
            "A Distillery checkpoint directory (manifest.json, student.params): a classifier, or"
                + " an LM student with an LM key.")
    Path checkpoint;

    @Option(
        names = "--onnx",
        paramLabel = "FILE",
        description =
            "An ONNX classifier; with an LM key, an LM directory in the teacher's layout"
                + " (teacher-card.json, model.onnx, tokenizer.json).")
    Path onnx;

    @Option(
        names = "--grpc",
        paramLabel = "HOST:PORT",
        description = "A black-box prediction API speaking the Teacher Label API (outputs only).")
    String grpc;
  }

  @ArgGroup(multiplicity = "1")
  Target target;

  @Option(names = "--key", required = true, paramLabel = "FILE", description = "The secret key.")
  Path keyFile;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "Bearer token for --grpc, when the API requires one.")
  Path tokenFile;

  @Option(
      names = "--reference",
      paramLabel = "DIR",
      description =
          "The owner's unmarked teacher: a classifier's teacher directory (teacher-card.json + DJL"
              + " parameters), or with an LM key the LM's model directory (ONNX). Its outputs on"
              + " the probes are taken out of the suspect's before the test (classifier: regressed"
              + " out; LM: group-1 log-odds minus the teacher's), which removes what any model of"
              + " this data would output and makes the test far more sensitive (BENCHMARKS.md)."
              + " Optional; the test is exact either way.")
  Path reference;

  @Mixin DataOptions data = new DataOptions();

  @Option(
      names = "--probes",
      defaultValue = "10000",
      description =
          "Fashion-MNIST test images offered as probes, from the first; those of the key's class"
              + " are skipped (default: ${DEFAULT-VALUE}, all of them, as measured in"
              + " BENCHMARKS.md).")
  int probes;

  @Option(
      names = "--null-keys",
      defaultValue = "" + WatermarkDetector.DEFAULT_NULL_KEYS,
      description = "Random directions of the Monte Carlo null (default: ${DEFAULT-VALUE}).")
  int nullKeys;

  @Option(
      names = "--alpha",
      defaultValue = "" + WatermarkDetector.DEFAULT_ALPHA,
      description = "Decision threshold on the p-value (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(
      names = "--scale",
      defaultValue = "LOG_PROBABILITY",
      description =
          "What the key's cosine is fitted to: LOG_PROBABILITY (log p(c*)), RELATIVE_LOG_PROBABILITY"
              + " (log p(c*) minus the mean log p of the other unlikely classes) or PROBABILITY"
              + " (default: ${DEFAULT-VALUE}; BENCHMARKS.md compares them).")
  WatermarkDetector.Scale scale;

  @Option(names = "--json", description = "One JSON object instead of text.")
  boolean json;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description =
          "With an LM key: the teacher's tokenizer.json (or model directory) that tokenizes the"
              + " held-out probe text (default: the --onnx directory).")
  Path tokenizer;

  @Option(
      names = "--probe-windows",
      defaultValue = "64",
      description = "With an LM key: held-out text windows queried (default: ${DEFAULT-VALUE}).")
  int probeWindows;

  @Option(
      names = "--window-tokens",
      defaultValue = "64",
      description =
          "With an LM key: tokens per probe window, within the suspect's context (default:"
              + " ${DEFAULT-VALUE}).")
  int windowTokens;

  @Option(
      names = "--top-k",
      defaultValue = "0",
      description =
          "With an LM key and --grpc: tokens asked per position (default: the whole vocabulary).")
  int topK;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    WatermarkKey key;
    try {
      if (LmWatermarkKey.isLmKey(keyFile)) {
        // A causal-lm key: the suspect is a language model (see LmDetection).
        return new LmDetection(this).run(LmWatermarkKey.read(keyFile));
      }
      key = WatermarkKey.read(keyFile);
    } catch (java.io.IOException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Path dataDir = data.locate(json ? new PrintStream(PrintStream.nullOutputStream()) : out);
    LabeledImages test = FashionMnist.test(dataDir);
    LabeledImages probeImages = test.head(Math.min(probes, test.size()));
    long[] shape = probeImages.sampleShape();
    Suspects.Opened suspect;
    if (target.checkpoint != null) {
      suspect = Suspects.checkpoint(target.checkpoint);
    } else if (target.onnx != null) {
      suspect = Suspects.onnx(target.onnx, shape);
    } else {
      String token = tokenFile == null ? null : Files.readString(tokenFile).trim();
      suspect = Suspects.grpc(target.grpc, token, key.classes(), shape);
    }
    WatermarkDetector.Result result;
    try (suspect;
        Suspects.Opened teacher = reference == null ? null : Suspects.teacher(reference, shape)) {
      result =
          new WatermarkDetector(key, nullKeys, alpha, scale)
              .test(probeImages, suspect.suspect(), teacher == null ? null : teacher.suspect());
    }
    String probeSet =
        String.format(
            Locale.ROOT,
            "Fashion-MNIST test images 0..%d without class %d (%d images)",
            probeImages.size() - 1,
            key.targetClass(),
            result.probes());
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode node = mapper.createObjectNode();
      node.put("suspect", suspect.description());
      node.put("reference", reference == null ? null : reference.toString());
      node.put("p_value", result.pValue());
      node.put("alpha", result.alpha());
      node.put("detected", result.detected());
      node.put("decision", result.detected() ? "watermark detected" : "not detected");
      node.put("queries", result.probes());
      node.put("probe_set", probeSet);
      node.put("statistic", result.statistic());
      node.put("null_median", result.nullMedian());
      node.put("amplitude", result.amplitude());
      node.put("null_keys", result.nullKeys());
      node.put("scale", scale.name());
      out.println(mapper.writeValueAsString(node));
    } else {
      out.printf("Suspect:   %s%n", suspect.description());
      out.printf("Probe set: %s%n", probeSet);
      out.printf(
          "Reference: %s%n",
          reference == null ? "none" : "unmarked teacher " + reference + " (regressed out)");
      out.printf("Queries:   %d%n", result.probes());
      out.printf(
          Locale.ROOT,
          "Statistic: %.5f explained by the key's cosine (median of %d random keys: %.5f),"
              + " amplitude %.4f%n",
          result.statistic(),
          result.nullKeys(),
          result.nullMedian(),
          result.amplitude());
      out.printf("Scale:     %s%n", scale);
      out.printf(Locale.ROOT, "p-value:   %.4f%n", result.pValue());
      out.printf(
          Locale.ROOT,
          "Decision:  %s at p < %s%n",
          result.detected() ? "WATERMARK DETECTED" : "not detected",
          result.alpha());
    }
    return 0;
  }
}
