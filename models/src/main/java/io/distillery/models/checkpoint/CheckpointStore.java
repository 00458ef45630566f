package io.distillery.models.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.distillery.models.digest.Sha256;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.FileDigest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints on a file system (a local directory or a mounted volume): {@code
 * <root>/<job>/step-<n>/} with the job's files and a {@value #MANIFEST}. A checkpoint is written
 * into a temporary directory, flushed to disk and then renamed into place, so a reader sees either
 * a whole checkpoint or none; leftovers of an interrupted write are ignored.
 */
public final class CheckpointStore {

  /** The manifest's file name. */
  public static final String MANIFEST = "manifest.json";

  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path root;

  public CheckpointStore(Path root) {
    this.root = root;
  }

  /** The directory holding a job's checkpoints. */
  public Path jobDir(String job) {
    return root.resolve(job);
  }

  /** Writes one file of a checkpoint. */
  @FunctionalInterface
  public interface FileContent {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes a checkpoint atomically.
   *
   * @param manifest the facts to record (job id and step required); its {@code files}, {@code uri}
   *     and {@code manifest_sha256} are filled in here
   * @param files file name to content, e.g. {@code student.params}
   * @return the written checkpoint
   * @throws IOException when the checkpoint cannot be written; nothing partial becomes visible
   */
  public Checkpoint write(CheckpointEvent manifest, Map<String, FileContent> files)
      throws IOException {
    if (manifest.getJobId().isBlank()) {
      throw new IllegalArgumentException("manifest.job_id is required");
    }
    Path jobDir = jobDir(manifest.getJobId());
    Files.createDirectories(jobDir);
    Path target = jobDir.resolve("step-" + manifest.getStep());
    if (Files.exists(target)) {
      throw new IOException("checkpoint " + target + " already exists; steps must increase");
    }
    Path temp =
        jobDir.resolve(TEMP_PREFIX + "step-" + manifest.getStep() + "-" + UUID.randomUUID());
    Files.createDirectory(temp);
    try {
      CheckpointEvent.Builder complete = manifest.toBuilder().clearFiles().clearUri();
      complete.clearManifestSha256();
      for (Map.Entry<String, FileContent> file : files.entrySet()) {
        complete.addFiles(writeFile(temp.resolve(file.getKey()), file.getKey(), file.getValue()));
      }
      byte[] json = JsonFormat.printer().print(complete.build()).getBytes(StandardCharsets.UTF_8);
      FileDigest manifestDigest =
          writeFile(temp.resolve(MANIFEST), MANIFEST, out -> out.write(json));
      fsync(temp);
      moveAtomically(temp, target);
      fsync(jobDir);
      return new Checkpoint(target, complete.build(), manifestDigest.getSha256());
    } catch (IOException | RuntimeException e) {
      deleteRecursively(temp);
      throw e;
    }
  }

  /**
   * The newest complete checkpoint of a job. Directories that fail verification (an interrupted or
   * damaged write) are skipped.
   */
  public Optional<Checkpoint> latest(String job) throws IOException {
    Path jobDir = jobDir(job);
    if (!Files.isDirectory(jobDir)) {
      return Optional.empty();
    }
    Map<Long, Path> steps = new LinkedHashMap<>();
    try (Stream<Path> dirs = Files.list(jobDir)) {
      dirs.forEach(
          dir -> {
            Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
            if (m.matches() && Files.isDirectory(dir)) {
              steps.put(Long.parseLong(m.group(1)), dir);
            }
          });
    }
    for (Long step : steps.keySet().stream().sorted(Comparator.reverseOrder()).toList()) {
      try {
        return Optional.of(open(steps.get(step)));
      } catch (CheckpointException damaged) {
        // An older complete checkpoint is still a correct place to resume from.
      }
    }
    return Optional.empty();
  }

  /**
   * Opens and verifies a checkpoint directory: the manifest parses and every file it lists has the
   * recorded sha256.
   */
  public static Checkpoint open(Path dir) throws CheckpointException {
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new CheckpointException("missing-manifest", "no " + MANIFEST + " in " + dir);
    }
    CheckpointEvent.Builder manifest = CheckpointEvent.newBuilder();
    String manifestSha;
    try {
      byte[] json = Files.readAllBytes(manifestFile);
      manifestSha = Sha256.hex(json);
      JsonFormat.parser().merge(new String(json, StandardCharsets.UTF_8), manifest);
    } catch (InvalidProtocolBufferException e) {
      throw new CheckpointException(
          "bad-manifest", manifestFile + " is not a valid manifest: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CheckpointException("io", "cannot read " + manifestFile + ": " + e.getMessage(), e);
    }
    for (FileDigest file : manifest.getFilesList()) {
      verify(dir, file);
    }
    return new Checkpoint(dir, manifest.build(), manifestSha);
  }

  /**
   * Opens the checkpoint an event announces and checks that it is the one announced.
   *
   * @throws CheckpointException when the directory is missing or damaged, or its manifest's sha256
   *     differs from the event's
   */
  public static Checkpoint open(CheckpointEvent event) throws CheckpointException {
    Path dir;
    try {
      dir = Path.of(URI.create(event.getUri()));
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      // Not only malformed URIs: any scheme without a file system here (http:, s3:) lands here.
      throw new CheckpointException(
          "bad-uri", "checkpoint uri '" + event.getUri() + "' is not a file URI", e);
    }
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(
          "missing-checkpoint", "checkpoint directory " + dir + " is missing");
    }
    Checkpoint checkpoint = open(dir);
    if (!checkpoint.manifestSha256().equals(event.getManifestSha256())) {
      throw new CheckpointException(
          "manifest-mismatch",
          dir.resolve(MANIFEST)
              + " has sha256 "
              + checkpoint.manifestSha256()
              + " but the event announced "
              + event.getManifestSha256());
    }
    return checkpoint;
  }

  private static void verify(Path dir, FileDigest expected) throws CheckpointException {
    Path file;
    try {
      file = dir.resolve(expected.getPath()).normalize();
    } catch (InvalidPathException e) {
      throw new CheckpointException(
          "bad-manifest", "manifest lists a path that is no path: " + e.getMessage(), e);
    }
    if (!file.startsWith(dir.normalize())) {
      throw new CheckpointException(
          "bad-manifest", "manifest lists " + expected.getPath() + ", outside " + dir);
    }
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(
          "missing-file", file + " is listed in the manifest but missing");
    }
    String actual;
    try {
      actual = Sha256.file(file);
    } catch (IOException e) {
      throw new CheckpointException("io", "cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!actual.equals(expected.getSha256())) {
      throw new CheckpointException(
          "digest-mismatch",
          file + " has sha256 " + actual + " but the manifest records " + expected.getSha256());
    }
  }

  private static FileDigest writeFile(Path file, String name, FileContent content)
      throws IOException {
    MessageDigest digest = Sha256.newDigest();
    try (OutputStream out =
        new DigestOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), digest)) {
      content.writeTo(out);
    }
    fsync(file);
    return FileDigest.newBuilder()
        .setPath(name)
        .setSha256(Sha256.hex(digest))
        .setSizeBytes(Files.size(file))
        .build();
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the checkpoint volume cannot rename atomically (" + to + "); use a POSIX file system",
          e);
    }
  }

  /** Flushes a file or directory to the device, so a rename never exposes unwritten data. */
  private static void fsync(Path path) throws IOException {
    boolean dir = Files.isDirectory(path);
    try (FileChannel channel =
        FileChannel.open(path, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
      channel.force(true);
    } catch (IOException e) {
      if (!dir) {
        throw e;
      }
      // Some file systems refuse to open directories for sync; the rename is still atomic.
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(CheckpointStore::deleteQuietly);
    } catch (IOException | UncheckedIOException ignored) {
      // Best effort: a leftover temporary directory is ignored by readers.
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // See deleteRecursively.
    }
  }
}
