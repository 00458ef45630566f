package io.distillery.teacher.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.watermark.WatermarkKey;
import io.distillery.teacher.TinyLanguageModel;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real service, started in-JVM with a causal-LM teacher (the tiny decoder trained by our
 * pipeline) and a marked client whose key file holds a classification key: start-up fails with a
 * message naming the key's kind, the served task and the command that makes the right key — instead
 * of starting and refusing the marked client's Label calls later.
 */
@QuarkusMainTest
@TestProfile(WatermarkKeyKindStartupTest.ClassifierKeyOnLm.class)
class WatermarkKeyKindStartupTest {

  /** The LM teacher; client "rival" is marked with a classification key. */
  public static class ClassifierKeyOnLm implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "distillery.teacher.model-dir", TinyLanguageModel.modelDir().toString(),
          "distillery.teacher.access.clients.rival.watermark", "true",
          "distillery.teacher.watermark.key-file", classifierKey().toString());
    }
  }

  static Path classifierKey() {
    try {
      Path file = Files.createTempDirectory("wm-kind").resolve("teacher.key");
      WatermarkKey.generate(784, 10, WatermarkKey.DEFAULT_FREQUENCY, WatermarkKey.DEFAULT_GRID)
          .write(file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @Launch(
      value = {},
      exitCode = 1)
  void refusesToStartNamingKeyKindTaskAndCommand(LaunchResult result) {
    assertEquals(1, result.exitCode());
    String output = result.getOutput() + result.getErrorOutput();
    assertTrue(
        output.contains(
            "holds a classification watermark key but the teacher in "
                + TinyLanguageModel.modelDir()
                + " serves the causal-lm task"),
        output);
    assertTrue(
        output.contains(
            "'distillery teacher watermark-key --track lm --vocab-size "
                + TinyLanguageModel.VOCAB
                + " --out FILE'"),
        output);
  }
}
