package io.distillery.evaluator.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The evaluator's state of one job, kept next to its checkpoints so that it survives restarts and
 * travels with them: the {@value #POINTER} file naming the job's best checkpoint, and one record
 * per scored checkpoint under {@value #RECORDS_DIR}/ (the evaluation event as protobuf JSON, named
 * by the manifest's sha256). Every file is written to a temporary file, flushed and renamed into
 * place, so a reader sees the old or the new content, never a mix.
 */
public final class JobState {

  /** File name of the promoted pointer inside the job directory. */
  public static final String POINTER = "promoted";

  /** Directory of the evaluation records inside the job directory. */
  public static final String RECORDS_DIR = "evaluations";

  private static final Logger LOG = Logger.getLogger(JobState.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path jobDir;

  /**
   * @param jobDir the directory holding the job's {@code step-<n>} checkpoint directories
   */
  public JobState(Path jobDir) {
    this.jobDir = jobDir;
  }

  /**
   * The state of the job a checkpoint event belongs to: its checkpoint directory's parent.
   *
   * @return empty when the event's uri is not a file URI with a parent
   */
  public static Optional<JobState> of(CheckpointEvent event) {
    try {
      Path parent = Path.of(URI.create(event.getUri())).getParent();
      return Optional.ofNullable(parent).map(JobState::new);
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The job directory. */
  public Path jobDir() {
    return jobDir;
  }

  /** The promoted pointer file. */
  public Path pointerFile() {
    return jobDir.resolve(POINTER);
  }

  /**
   * The job's promoted checkpoint.
   *
   * @throws IOException when the pointer exists but cannot be read or parsed, naming it
   */
  public Optional<PromotedPointer> promoted() throws IOException {
    Path file = pointerFile();
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), PromotedPointer.class));
    } catch (IOException e) {
      throw new IOException("cannot read promoted pointer " + file + ": " + e.getMessage(), e);
    }
  }

  /** Points the job at a new best checkpoint, atomically. */
  public void promote(PromotedPointer pointer) throws IOException {
    writeAtomically(pointerFile(), JSON.writeValueAsBytes(pointer));
  }

  /**
   * The recorded evaluation of a checkpoint. A damaged record is ignored (the checkpoint is scored
   * again and the record rewritten).
   *
   * @param manifestSha256 the checkpoint's manifest sha256
   */
  public Optional<EvaluationEvent> recorded(String manifestSha256) throws IOException {
    Path file = recordFile(manifestSha256);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    EvaluationEvent.Builder event = EvaluationEvent.newBuilder();
    try {
      JsonFormat.parser().merge(Files.readString(file, StandardCharsets.UTF_8), event);
      return Optional.of(event.build());
    } catch (InvalidProtocolBufferException e) {
      LOG.warnf("ignoring damaged evaluation record %s: %s", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** Records the evaluation of a checkpoint, atomically. */
  public void record(EvaluationEvent event) throws IOException {
    byte[] json = JsonFormat.printer().print(event).getBytes(StandardCharsets.UTF_8);
    writeAtomically(recordFile(event.getCheckpointSha256()), json);
  }

  /** The record file of a checkpoint. */
  public Path recordFile(String manifestSha256) {
    // The sha comes from an event: keep only characters that cannot leave the directory.
    String name = manifestSha256.replaceAll("[^A-Za-z0-9_-]", "_");
    return jobDir.resolve(RECORDS_DIR).resolve(name + ".json");
  }

  private static void writeAtomically(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
