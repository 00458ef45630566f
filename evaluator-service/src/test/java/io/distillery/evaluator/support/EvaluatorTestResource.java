package io.distillery.evaluator.support;

import io.distillery.teacherclient.testing.FakeTeacher;
import io.distillery.teacherclient.testing.FakeTeacherResource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Trains the tiny teacher before the app starts, serves it from the shared fake teacher (a real
 * gRPC socket, injected into test fields of type {@link FakeTeacher}) and gives the evaluator a
 * fresh reference cache directory, one per JVM.
 */
public class EvaluatorTestResource extends FakeTeacherResource {

  /** Config key of the model directory the fake teacher serves. */
  public static final String MODEL_DIR = "fake-teacher.model-dir";

  private static final String CACHE_PROPERTY = "distillery.test.reference-cache-dir";

  @Override
  protected void configure(FakeTeacher teacher, String profile) {
    TinyTeacherModel.serve(teacher);
  }

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    config.put(MODEL_DIR, TinyTeacher.modelDir().toString());
    config.put("distillery.evaluator.teacher.cache-dir", cacheDir().toString());
    return config;
  }

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
