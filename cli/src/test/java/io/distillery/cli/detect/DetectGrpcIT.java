package io.distillery.cli.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.cli.access.TokenIssuer;
import io.distillery.cli.demo.ServiceJars;
import io.distillery.cli.process.ServiceProcess;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import io.distillery.models.watermark.WatermarkKey;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distillery detect --grpc}, black-box, through the real packaged teacher-service over a
 * real socket: access control on, client "rival" set to receive watermarked outputs, client
 * "partner" not. The command, given only the API, each client's bearer token and the owner's key,
 * detects the mark in what the rival receives and not in what the partner receives.
 */
class DetectGrpcIT {

  static final Path ROOT =
      Path.of(
          System.getProperty(
              "distillery.root", Path.of("").toAbsolutePath().getParent().toString()));
  static final String ISSUER = "https://issuer.detect.test";
  static final WatermarkKey KEY =
      new WatermarkKey(
          777L, 784, 10, 4, WatermarkKey.DEFAULT_FREQUENCY, 2.2, WatermarkKey.DEFAULT_GRID);

  @TempDir Path dir;

  @Test
  void theMarkedClientsAnswersCarryTheKeyAndTheOthersDoNot() throws Exception {
    Path data = FashionMnistLocator.locate();
    Path teacherDir = dir.resolve("teacher");
    new TeacherTrainer(
            TeacherTrainingConfig.defaults(data, teacherDir).withSchedule(1, 30),
            new PrintStream(PrintStream.nullOutputStream()))
        .train();
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
    Path keyFile = dir.resolve("owner.key");
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
            Map.entry("distillery.teacher.access.clients.rival.max-top-k", "10"),
            Map.entry("distillery.teacher.access.clients.partner.max-top-k", "10"),
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
      rival = detect(target, rivalToken, keyFile, data);
      partner = detect(target, partnerToken, keyFile, data);
      // The service measured the marked requests (one per 64 probes) and only those.
      double markedSamples = teacher.metric("distillery_teacher_watermark_marked_samples_total");
      assertEquals(rival.get("queries").asDouble(), markedSamples, rival.toString());
    }
    assertTrue(rival.get("detected").asBoolean(), "rival: " + rival);
    assertTrue(rival.get("p_value").asDouble() < 0.01, rival.toString());
    assertFalse(partner.get("detected").asBoolean(), "partner: " + partner);
    assertTrue(partner.get("p_value").asDouble() >= 0.01, partner.toString());
    assertTrue(rival.get("suspect").asText().contains("Label API"), rival.toString());
  }

  /** Runs {@code distillery detect --grpc HOST:PORT --token-file F --json} on 2000 test images. */
  private static JsonNode detect(String target, Path token, Path keyFile, Path data)
      throws Exception {
    return DetectRun.json(
        "--grpc",
        target,
        "--token-file",
        token.toString(),
        "--key",
        keyFile.toString(),
        "--data",
        data.toString(),
        "--probes",
        "2000",
        "--null-keys",
        "999");
  }
}
