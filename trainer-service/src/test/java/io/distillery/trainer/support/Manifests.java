package io.distillery.trainer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointException;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.OffsetRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads a job's checkpoint chain and checks its exactly-once accounting. */
public final class Manifests {

  private Manifests() {}

  /** Every complete checkpoint of a job, by step. */
  public static List<CheckpointEvent> chain(Path root, String job) throws IOException {
    List<CheckpointEvent> manifests = new ArrayList<>();
    Path dir = root.resolve(job);
    if (!Files.isDirectory(dir)) {
      return manifests;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry :
          entries.filter(p -> p.getFileName().toString().matches("step-\\d+")).toList()) {
        try {
          Checkpoint checkpoint = CheckpointStore.open(entry);
          manifests.add(checkpoint.manifest());
        } catch (CheckpointException e) {
          fail("checkpoint " + entry + " is damaged: " + e.getMessage());
        }
      }
    }
    manifests.sort(Comparator.comparingLong(CheckpointEvent::getStep));
    return manifests;
  }

  /**
   * Asserts that, for every pass, the manifests' consumed ranges tile each partition's offsets
   * {@code [0, end)} exactly once: contiguous, no gap, no overlap.
   *
   * @param endOffsets per partition, the log's end
   * @param passes passes the job made
   */
  public static void assertEachOffsetOncePerPass(
      List<CheckpointEvent> manifests, Map<Integer, Long> endOffsets, int passes) {
    for (int pass = 0; pass < passes; pass++) {
      Map<Integer, Long> next = new HashMap<>();
      for (CheckpointEvent manifest : manifests) {
        if (manifest.getPass() != pass) {
          continue;
        }
        for (OffsetRange range : manifest.getConsumedList()) {
          long expected = next.getOrDefault(range.getPartition(), 0L);
          assertEquals(
              expected,
              range.getFromOffset(),
              "pass "
                  + pass
                  + " step "
                  + manifest.getStep()
                  + " partition "
                  + range.getPartition()
                  + ": range must start where the previous ended");
          assertTrue(range.getToOffset() >= range.getFromOffset(), "non-empty range");
          next.put(range.getPartition(), range.getToOffset() + 1);
        }
      }
      for (Map.Entry<Integer, Long> end : endOffsets.entrySet()) {
        assertEquals(
            end.getValue(),
            next.getOrDefault(end.getKey(), 0L),
            "pass " + pass + " must cover partition " + end.getKey() + " to its end");
      }
    }
  }
}
