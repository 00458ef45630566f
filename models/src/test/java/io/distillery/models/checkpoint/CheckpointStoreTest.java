package io.distillery.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.OffsetRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-system logic only: plain JUnit. */
class CheckpointStoreTest {

  @TempDir Path root;

  private static CheckpointEvent manifest(long step) {
    return CheckpointEvent.newBuilder()
        .setJobId("job-a")
        .setStep(step)
        .setSamplesSeen(step * 128)
        .addConsumed(
            OffsetRange.newBuilder()
                .setTopic("distill.soft-labels")
                .setPartition(0)
                .setFromOffset(step * 10)
                .setToOffset(step * 10 + 9))
        .build();
  }

  private Checkpoint write(CheckpointStore store, long step, String content) throws Exception {
    return store.write(
        manifest(step),
        Map.of("student.params", out -> out.write(content.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void writesAVerifiableCheckpointWhoseEventNamesItsManifest() throws Exception {
    CheckpointStore store = new CheckpointStore(root);
    Checkpoint written = write(store, 100, "weights");
    assertEquals(root.resolve("job-a").resolve("step-100"), written.dir());
    assertEquals(1, written.manifest().getFilesCount());
    assertEquals("student.params", written.manifest().getFiles(0).getPath());

    Checkpoint reopened = CheckpointStore.open(written.event());
    assertEquals(written.manifest(), reopened.manifest());
    assertEquals(manifest(100).getConsumedList(), reopened.manifest().getConsumedList());
    assertArrayEquals(
        "weights".getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(reopened.file("student.params")));
    try (var files = Files.list(store.jobDir("job-a"))) {
      assertEquals(1, files.count(), "no temporary directory may be left behind");
    }
  }

  @Test
  void latestSkipsDamagedAndHalfWrittenCheckpoints() throws Exception {
    CheckpointStore store = new CheckpointStore(root);
    write(store, 100, "one");
    Checkpoint second = write(store, 200, "two");
    Files.writeString(second.file("student.params"), "tampered");
    // What a kill -9 in the middle of a write leaves: a temporary directory and no manifest.
    Files.createDirectories(store.jobDir("job-a").resolve(".tmp-step-300-x"));
    Files.createDirectories(store.jobDir("job-a").resolve("step-400"));

    assertEquals(100, store.latest("job-a").orElseThrow().manifest().getStep());
    assertTrue(store.latest("job-b").isEmpty());
  }

  @Test
  void verificationNamesTheFileAndBothDigests() throws Exception {
    CheckpointStore store = new CheckpointStore(root);
    Checkpoint written = write(store, 7, "weights");
    Files.writeString(written.file("student.params"), "other");
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> CheckpointStore.open(written.dir()));
    assertEquals("digest-mismatch", e.reason());
    assertTrue(e.getMessage().contains("student.params"), e.getMessage());
    assertTrue(e.getMessage().contains(written.manifest().getFiles(0).getSha256()), e.getMessage());
  }

  @Test
  void anEventWhoseManifestDigestDiffersIsRejected() throws Exception {
    Checkpoint written = write(new CheckpointStore(root), 1, "w");
    CheckpointEvent forged = written.event().toBuilder().setManifestSha256("00").build();
    assertEquals(
        "manifest-mismatch",
        assertThrows(CheckpointException.class, () -> CheckpointStore.open(forged)).reason());
    CheckpointEvent gone =
        written.event().toBuilder().setUri(root.resolve("nowhere").toUri().toString()).build();
    assertEquals(
        "missing-checkpoint",
        assertThrows(CheckpointException.class, () -> CheckpointStore.open(gone)).reason());
  }

  @Test
  void aStepIsNeverOverwritten() throws Exception {
    CheckpointStore store = new CheckpointStore(root);
    write(store, 5, "a");
    assertThrows(java.io.IOException.class, () -> write(store, 5, "b"));
    assertEquals("a", Files.readString(store.latest("job-a").orElseThrow().file("student.params")));
  }
}
