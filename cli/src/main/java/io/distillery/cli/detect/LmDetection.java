package io.distillery.cli.detect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.cli.data.JaneAustenData;
import io.distillery.models.watermark.lm.LmWatermarkDetector;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code distillery detect} with a causal-lm key: queries the suspect language model on held-out
 * Jane Austen windows ({@link LmProbes}) and tests its group-1 mass for the key's signal ({@link
 * LmWatermarkDetector}).
 */
final class LmDetection {

  private final DetectCommand options;

  LmDetection(DetectCommand options) {
    this.options = options;
  }

  int run(LmWatermarkKey key) throws Exception {
    PrintStream out = System.out;
    PrintStream log = options.json ? new PrintStream(PrintStream.nullOutputStream()) : out;
    DetectCommand.Target target = options.target;
    Path tokenizer =
        options.tokenizer != null
            ? options.tokenizer
            : options.reference != null ? options.reference : target.onnx;
    if (tokenizer == null) {
      System.err.println(
          "an LM key needs the teacher's tokenizer for the probe text: give --tokenizer FILE (the"
              + " teacher's tokenizer.json or model directory) or --reference DIR");
      return 2;
    }
    Path austen = JaneAustenData.locateOrFetch(options.data.cacheDir(), log);
    List<int[]> windows =
        LmProbes.heldOut(austen, tokenizer, options.probeWindows, options.windowTokens);
    LmSuspects.Opened suspect;
    if (target.checkpoint != null) {
      suspect = LmSuspects.checkpoint(target.checkpoint);
    } else if (target.onnx != null) {
      suspect = LmSuspects.onnxDirectory(target.onnx);
    } else {
      String token = options.tokenFile == null ? null : Files.readString(options.tokenFile).trim();
      int topK = options.topK > 0 ? options.topK : key.vocabSize();
      suspect = LmSuspects.grpc(target.grpc, token, key.vocabSize(), topK);
    }
    LmWatermarkDetector.Result result;
    try (suspect;
        LmSuspects.Opened reference =
            options.reference == null ? null : LmSuspects.onnxDirectory(options.reference)) {
      if (suspect.vocabSize() != key.vocabSize()) {
        System.err.printf(
            "the suspect's vocabulary has %d tokens, the key's %d: not the teacher's tokenizer%n",
            suspect.vocabSize(), key.vocabSize());
        return 2;
      }
      LmWatermarkDetector detector = new LmWatermarkDetector(key, options.nullKeys, options.alpha);
      result =
          reference == null
              ? detector.test(windows, suspect.suspect())
              : detector.test(windows, suspect.suspect(), reference.suspect());
    }
    String probeSet =
        String.format(
            Locale.ROOT,
            "held-out Jane Austen (persuasion), first %d windows of %d tokens (%d positions)",
            result.windows(),
            options.windowTokens,
            result.positions());
    if (options.json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode node = mapper.createObjectNode();
      node.put("track", "lm");
      node.put("suspect", suspect.description());
      node.put("reference", options.reference == null ? "none" : options.reference.toString());
      node.put("p_value", result.pValue());
      node.put("alpha", result.alpha());
      node.put("detected", result.detected());
      node.put("decision", result.detected() ? "watermark detected" : "not detected");
      node.put("queries", result.windows());
      node.put("positions", result.positions());
      node.put("probe_set", probeSet);
      node.put("statistic", result.statistic());
      node.put("null_median", result.nullMedian());
      node.put("amplitude", result.amplitude());
      node.put("mean_group_one", result.meanGroupOne());
      node.put("null_keys", result.nullKeys());
      out.println(mapper.writeValueAsString(node));
    } else {
      out.printf("Suspect:   %s%n", suspect.description());
      out.printf(
          "Reference: %s%n",
          options.reference == null
              ? "none (the suspect's own group-1 log-odds)"
              : "the unmarked teacher in " + options.reference);
      out.printf("Probe set: %s%n", probeSet);
      out.printf("Queries:   %d windows%n", result.windows());
      out.printf(
          Locale.ROOT,
          "Statistic: %.5f explained by the key's signal (median of %d random keys: %.5f),"
              + " amplitude %.4f in group-1 log-odds%n",
          result.statistic(),
          result.nullKeys(),
          result.nullMedian(),
          result.amplitude());
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
