package io.distillery.cli.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.cli.access.TokenIssuer;
import io.distillery.cli.demo.ServiceJars;
import io.distillery.cli.process.ServiceProcess;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distillery detect --grpc} with a causal-lm key, black-box, through the real packaged
 * teacher-service over a real socket serving a tiny language model (trained here by our pipeline,
 * served on ONNX Runtime): access control on, client "rival" set to receive watermarked outputs,
 * client "partner" not. Given only the API, each client's bearer token, the owner's LM key and the
 * teacher's tokenizer for the held-out probe text, the command detects the mark in what the rival
 * receives and not in what the partner receives.
 */
class LmDetectGrpcIT {

  static final Path ROOT = DetectGrpcIT.ROOT;
  static final String ISSUER = "https://issuer.lm-detect.test";
  static final int VOCAB = TinyLanguageModel.VOCAB;
  static final int CONTEXT = TinyLanguageModel.CONTEXT;
  // A fixed key (and so fixed null keys): the partner's p-value is the same on every run.
  static final LmWatermarkKey KEY =
      new LmWatermarkKey(
          777L, VOCAB, LmWatermarkKey.DEFAULT_FREQUENCY, 2.2, LmWatermarkKey.DEFAULT_CONTEXT);

  @TempDir Path dir;

  @Test
  void theMarkedClientsAnswersCarryTheLmKeyAndTheOthersDoNot() throws Exception {
    Path teacherDir = TinyLanguageModel.train(dir.resolve("tiny-lm"));
    Path keys = dir.resolve("issuer");
    TokenIssuer.generateKeys(keys);
    PrivateKey signing = TokenIssuer.readPrivateKey(keys.resolve(TokenIssuer.PRIVATE_KEY));
    Path rivalToken = dir.resolve("rival.token");
    Path partnerToken = dir.resolve("partner.token");
    Files.writeString(
        rivalToken,
        TokenIssuer.mint(signing, ISSUER, "rival", List.of("label"), Duration.ofHours(1)));
    Files.writeString(
        partnerToken,
        TokenIssuer.mint(signing, ISSUER, "partner", List.of("label"), Duration.ofHours(1)));
    Path keyFile = dir.resolve("owner-lm.key");
    KEY.write(keyFile);

    Map<String, String> settings =
        Map.ofEntries(
            Map.entry("distillery.teacher.model-dir", teacherDir.toString()),
            Map.entry("distillery.teacher.access.enabled", "true"),
            Map.entry(
                "mp.jwt.verify.publickey.location",
                keys.resolve(TokenIssuer.PUBLIC_KEY).toString()),
            Map.entry("mp.jwt.verify.issuer", ISSUER),
            Map.entry("distillery.teacher.access.clients.rival.watermark", "true"),
            Map.entry("distillery.teacher.access.clients.rival.max-top-k", "" + VOCAB),
            Map.entry("distillery.teacher.access.clients.partner.max-top-k", "" + VOCAB),
            Map.entry("distillery.teacher.watermark.key-file", keyFile.toString()));
    JsonNode rival;
    JsonNode partner;
    try (ServiceProcess teacher =
        ServiceProcess.start(
            ServiceJars.in(ROOT).teacher(),
            settings,
            List.of("-Xmx1g"),
            dir.resolve("teacher-service.log"),
            Duration.ofMinutes(4))) {
      String target = "127.0.0.1:" + teacher.grpcPort();
      rival = detect(target, rivalToken, keyFile, teacherDir);
      partner = detect(target, partnerToken, keyFile, teacherDir);
      // The service marked the rival's probe windows and only those.
      double markedSamples = teacher.metric("distillery_teacher_watermark_marked_samples_total");
      assertEquals(rival.get("queries").asDouble(), markedSamples, rival.toString());
    }
    System.err.println("rival: " + rival + "\npartner: " + partner);
    assertEquals("lm", rival.get("track").asText(), rival.toString());
    assertEquals(48, rival.get("queries").asInt(), rival.toString());
    assertTrue(rival.get("detected").asBoolean(), "rival: " + rival);
    assertTrue(rival.get("p_value").asDouble() < 0.01, rival.toString());
    assertFalse(partner.get("detected").asBoolean(), "partner: " + partner);
    assertTrue(partner.get("p_value").asDouble() >= 0.01, partner.toString());
    assertTrue(rival.get("suspect").asText().contains("Label API"), rival.toString());
  }

  /**
   * Runs {@code distillery detect --grpc HOST:PORT --token-file F --tokenizer DIR --json} on 48
   * held-out windows of the tiny model's context.
   */
  private static JsonNode detect(String target, Path token, Path keyFile, Path tokenizer)
      throws Exception {
    return DetectRun.json(
        "--grpc",
        target,
        "--token-file",
        token.toString(),
        "--key",
        keyFile.toString(),
        "--tokenizer",
        tokenizer.toString(),
        "--probe-windows",
        "48",
        "--window-tokens",
        "" + CONTEXT,
        "--null-keys",
        "999");
  }
}
