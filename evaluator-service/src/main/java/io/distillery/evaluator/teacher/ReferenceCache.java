package io.distillery.evaluator.teacher;

import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.models.digest.Sha256;
import io.distillery.proto.v1.TeacherCard;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Teacher references in memory and on disk, keyed by teacher artifact sha256 and eval set. A disk
 * file holds the teacher card, the eval set's id and digest and the log-probabilities, followed by
 * the sha256 of all of it; it is written to a temporary file and renamed into place, and a file
 * that fails any check is deleted (the reference is fetched again), never trusted.
 */
public final class ReferenceCache {

  /** Where a reference came from. */
  public enum Source {
    MEMORY,
    DISK
  }

  /** A cached reference and where it was found. */
  public record Hit(TeacherReference reference, Source source) {}

  private static final Logger LOG = Logger.getLogger(ReferenceCache.class);
  private static final int MAGIC = 0x44524546; // "DREF"
  private static final int VERSION = 1;
  private static final int DIGEST_BYTES = 32;

  private final Path dir;
  private final Map<String, TeacherReference> memory = new ConcurrentHashMap<>();

  /**
   * @param dir directory of the cache files; created on the first write
   */
  public ReferenceCache(Path dir) {
    this.dir = dir;
  }

  /** The reference of a teacher artifact on this eval set, if cached. */
  public Optional<Hit> get(String artifactSha256, EvalSet evalSet) {
    String key = key(artifactSha256, evalSet);
    TeacherReference cached = memory.get(key);
    if (cached != null) {
      return Optional.of(new Hit(cached, Source.MEMORY));
    }
    Path file = file(artifactSha256, evalSet);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      TeacherReference loaded = read(file, artifactSha256, evalSet);
      memory.put(key, loaded);
      return Optional.of(new Hit(loaded, Source.DISK));
    } catch (IOException e) {
      LOG.warnf("discarding teacher reference cache file %s: %s", file, e.getMessage());
      deleteQuietly(file);
      return Optional.empty();
    }
  }

  /**
   * Keeps a reference in memory and on disk. A failed disk write is logged, not thrown: the
   * reference still serves this process, and a restart fetches it again.
   */
  public void put(TeacherReference reference, EvalSet evalSet) {
    memory.put(key(reference.artifactSha256(), evalSet), reference);
    Path file = file(reference.artifactSha256(), evalSet);
    try {
      write(file, reference);
    } catch (IOException e) {
      LOG.warnf(
          "cannot write teacher reference cache file %s (%s); a restart will fetch it again",
          file, e.getMessage());
    }
  }

  /** The cache file of a teacher artifact on an eval set. */
  public Path file(String artifactSha256, EvalSet evalSet) {
    // The sha comes from a remote card: keep only characters that cannot leave the directory.
    String safe = artifactSha256.replaceAll("[^A-Za-z0-9_-]", "_");
    if (safe.isEmpty() || safe.length() > 128) {
      safe = Sha256.hex(artifactSha256.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return dir.resolve(safe + "-" + evalSet.digest().substring(0, 16) + ".ref");
  }

  private static String key(String artifactSha256, EvalSet evalSet) {
    return artifactSha256 + "@" + evalSet.digest();
  }

  private static void write(Path file, TeacherReference reference) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(reference.logProbs().length * 4 + 4096);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeUTF(reference.evalSetId());
    out.writeUTF(reference.evalSetDigest());
    byte[] card = reference.card().toByteArray();
    out.writeInt(card.length);
    out.write(card);
    out.writeInt(reference.classes());
    out.writeInt(reference.logProbs().length);
    ByteBuffer values = ByteBuffer.allocate(reference.logProbs().length * 4);
    values.asFloatBuffer().put(reference.logProbs());
    out.write(values.array());
    out.flush();
    byte[] content = bytes.toByteArray();
    out.write(Sha256.of(content));
    out.flush();

    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer all = ByteBuffer.wrap(bytes.toByteArray());
      while (all.hasRemaining()) {
        channel.write(all);
      }
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static TeacherReference read(Path file, String artifactSha256, EvalSet evalSet)
      throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < DIGEST_BYTES + 8) {
      throw new IOException("too short (" + all.length + " bytes)");
    }
    byte[] content = Arrays.copyOf(all, all.length - DIGEST_BYTES);
    byte[] trailer = Arrays.copyOfRange(all, all.length - DIGEST_BYTES, all.length);
    if (!Arrays.equals(Sha256.of(content), trailer)) {
      throw new IOException("checksum mismatch: the file is damaged");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(content));
    if (in.readInt() != MAGIC || in.readInt() != VERSION) {
      throw new IOException("not a version-" + VERSION + " teacher reference file");
    }
    String evalSetId = in.readUTF();
    String evalSetDigest = in.readUTF();
    if (!evalSetDigest.equals(evalSet.digest())) {
      throw new IOException(
          "made for eval set " + evalSetId + " with sha256 " + evalSetDigest + ", not this one");
    }
    int cardLength = in.readInt();
    if (cardLength < 0 || cardLength > in.available()) {
      // Checked before allocating: a damaged length must not ask for gigabytes.
      throw new IOException("impossible teacher card length " + cardLength);
    }
    byte[] card = new byte[cardLength];
    in.readFully(card);
    TeacherCard teacher = TeacherCard.parseFrom(card);
    if (!teacher.getArtifactSha256().equals(artifactSha256)) {
      throw new IOException("holds teacher " + teacher.getArtifactSha256());
    }
    int classes = in.readInt();
    int count = in.readInt();
    if (classes != evalSet.classes() || count != evalSet.size() * classes) {
      throw new IOException(
          count + " values for " + classes + " classes do not fit eval set " + evalSet.id());
    }
    byte[] raw = new byte[count * 4];
    in.readFully(raw);
    float[] logProbs = new float[count];
    ByteBuffer.wrap(raw).asFloatBuffer().get(logProbs);
    return new TeacherReference(teacher, evalSet.id(), evalSetDigest, classes, logProbs);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // The next write replaces it anyway.
    }
  }
}
