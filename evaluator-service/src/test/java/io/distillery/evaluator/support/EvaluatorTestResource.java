package io.distillery.evaluator.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * Trains the tiny teacher before the app starts (the fake teacher serves it) and gives the
 * evaluator a fresh reference cache directory, one per JVM.
 */
public class EvaluatorTestResource implements QuarkusTestResourceLifecycleManager {

  /** Config key of the model directory the fake teacher serves. */
  public static final String MODEL_DIR = "fake-teacher.model-dir";

  private static final String CACHE_PROPERTY = "distillery.test.reference-cache-dir";

  @Override
  public Map<String, String> start() {
    return Map.of(
        MODEL_DIR,
        TinyTeacher.modelDir().toString(),
        "distillery.evaluator.teacher.cache-dir",
        cacheDir().toString());
  }

  @Override
  public void stop() {}

  private static synchronized Path cacheDir() {
    String existing = System.getProperty(CACHE_PROPERTY);
    if (existing != null) {
      return Path.of(existing);
    }
    Path dir = TempDirs.create("evaluator-reference-cache");
    System.setProperty(CACHE_PROPERTY, dir.toString());
    return dir;
  }
}
