package io.distillery.models.checkpoint;

import io.distillery.proto.v1.CheckpointEvent;
import java.nio.file.Path;

/**
 * A complete, verified checkpoint directory.
 *
 * @param dir the {@code step-<n>} directory
 * @param manifest its {@code manifest.json}: a {@link CheckpointEvent} without uri and
 *     manifest_sha256, whose {@code files} list every other file with its sha256
 * @param manifestSha256 sha256 of {@code manifest.json}
 */
public record Checkpoint(Path dir, CheckpointEvent manifest, String manifestSha256) {

  /** The event announcing this checkpoint: the manifest plus where it is and its digest. */
  public CheckpointEvent event() {
    return manifest.toBuilder()
        .setUri(dir.toUri().toString())
        .setManifestSha256(manifestSha256)
        .build();
  }

  /** A file of the checkpoint. */
  public Path file(String name) {
    return dir.resolve(name);
  }
}
