package io.distillery.models.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.distillery.models.checkpoint.CheckpointException;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.proto.v1.CheckpointEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A checkpoint's {@code manifest.json} and the event that announces it come from disk and from the
 * log: opening either may succeed or fail with a {@link CheckpointException} and its reason (the
 * evaluator's FAILED event, the trainer's "skip this damaged checkpoint"), never with anything
 * else.
 */
class CheckpointManifestFuzzTest {

  private static Path dir;

  @BeforeAll
  static void checkpointDirectory() throws IOException {
    dir = Files.createTempDirectory("fuzz-checkpoint");
    Files.writeString(dir.resolve("student.params"), "params");
  }

  @AfterAll
  static void removeIt() throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @FuzzTest
  void anyManifestOpensOrFailsWithAReason(byte[] manifest) throws IOException {
    Files.write(dir.resolve(CheckpointStore.MANIFEST), manifest);
    try {
      CheckpointStore.open(dir);
    } catch (CheckpointException e) {
      assertFalse(e.reason().isEmpty(), "a reason");
    }
  }

  /** The event's uri and manifest sha256, as any producer on the topic may have written them. */
  @FuzzTest
  void anyAnnouncedUriOpensOrFailsWithAReason(byte[] uri) {
    CheckpointEvent event =
        CheckpointEvent.newBuilder()
            .setJobId("fuzz")
            .setUri(new String(uri, StandardCharsets.UTF_8))
            .setManifestSha256("0".repeat(64))
            .build();
    try {
      CheckpointStore.open(event);
    } catch (CheckpointException e) {
      assertFalse(e.reason().isEmpty(), "a reason");
    }
  }
}
