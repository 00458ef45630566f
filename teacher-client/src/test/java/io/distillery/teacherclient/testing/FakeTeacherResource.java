package io.distillery.teacherclient.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts a {@link FakeTeacher} before the Quarkus app, points the app's gRPC client {@code teacher}
 * at it (also in test mode, where Quarkus would otherwise use the app's own test port), and injects
 * it into test fields of type {@link FakeTeacher}. Subclass it and override {@link #configure} to
 * set the card and answers a service expects from its first call on.
 */
public class FakeTeacherResource implements QuarkusTestResourceLifecycleManager {

  private FakeTeacher teacher;
  private String profile = "";

  @Override
  public void setContext(Context context) {
    profile = context.testProfile() == null ? "" : context.testProfile();
  }

  /**
   * Prepares the fake before the app starts.
   *
   * @param profile class name of the active {@code QuarkusTestProfile}, or empty
   */
  protected void configure(FakeTeacher teacher, String profile) throws Exception {}

  @Override
  public Map<String, String> start() {
    try {
      teacher = FakeTeacher.start();
      configure(teacher, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the fake teacher", e);
    }
    String port = Integer.toString(teacher.port());
    return Map.of(
        "quarkus.grpc.clients.teacher.host", "127.0.0.1",
        "quarkus.grpc.clients.teacher.port", port,
        "quarkus.grpc.clients.teacher.test-port", port);
  }

  @Override
  public void inject(TestInjector testInjector) {
    testInjector.injectIntoFields(
        teacher, field -> field.getType().getName().equals(FakeTeacher.class.getName()));
  }

  @Override
  public void stop() {
    if (teacher != null) {
      try {
        teacher.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
