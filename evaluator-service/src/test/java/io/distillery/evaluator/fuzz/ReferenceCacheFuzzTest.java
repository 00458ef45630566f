package io.distillery.evaluator.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.evaluator.teacher.ReferenceCache;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.digest.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The evaluator's cached teacher reference is a file on a volume that outlives versions and
 * crashes: whatever it holds, reading it gives the reference or "not cached" (the file discarded,
 * fetched again), never an exception or an allocation the file's size does not justify. Plain JUnit
 * (Jazzer): the cache is pure file logic.
 */
class ReferenceCacheFuzzTest {

  private static final String ARTIFACT = "a".repeat(64);
  private static final int MAGIC = 0x44524546;

  private static Path dir;
  private static EvalSet evalSet;

  @BeforeAll
  static void cacheAndEvalSet() throws IOException {
    dir = Files.createTempDirectory("fuzz-reference-cache");
    float[] pixels = new float[2 * 4];
    pixels[3] = 0.5f;
    evalSet = EvalSet.of("fuzz", new LabeledImages(pixels, new int[] {0, 1}, 1, 2, 2), 3);
  }

  @AfterAll
  static void removeIt() throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** Any bytes at all, checksum included: almost always "damaged". */
  @FuzzTest
  void anyFileIsReadOrDiscarded(byte[] file) throws IOException {
    assertReadOrDiscarded(file);
  }

  /**
   * A file whose checksum is right and whose header names this eval set, so the fuzzer reaches the
   * card and the values: what an older or buggy writer could leave behind.
   */
  @FuzzTest
  void aChecksummedBodyIsReadOrDiscarded(byte[] body) throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(content);
    out.writeInt(MAGIC);
    out.writeInt(1);
    out.writeUTF(evalSet.id());
    out.writeUTF(evalSet.digest());
    out.write(body);
    out.flush();
    content.write(Sha256.of(content.toByteArray()));
    assertReadOrDiscarded(content.toByteArray());
  }

  private static void assertReadOrDiscarded(byte[] bytes) throws IOException {
    ReferenceCache cache = new ReferenceCache(dir); // a new one: nothing in memory
    Path file = cache.file(ARTIFACT, evalSet);
    Files.write(file, bytes);
    var hit = cache.get(ARTIFACT, evalSet);
    if (hit.isPresent()) {
      assertNotNull(hit.get().reference().card());
      assertEquals(evalSet.size() * 3, hit.get().reference().logProbs().length);
    } else {
      assertFalse(Files.exists(file), "a file that was not used is discarded");
    }
  }
}
