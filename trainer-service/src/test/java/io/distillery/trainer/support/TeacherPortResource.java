package io.distillery.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Points the trainer's gRPC client {@code teacher} at a free local port, where the test serves a
 * {@link FakeTeacherServer} (and can take it down and up again). The port is also published as the
 * system property {@value #PORT_PROPERTY}, because the test class lives in another class loader.
 */
public class TeacherPortResource implements QuarkusTestResourceLifecycleManager {

  /** System property holding the port. */
  public static final String PORT_PROPERTY = "distillery.test.teacher-port";

  @Override
  public Map<String, String> start() {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.setProperty(PORT_PROPERTY, Integer.toString(port));
    return Map.of(
        "quarkus.grpc.clients.teacher.host", "127.0.0.1",
        "quarkus.grpc.clients.teacher.port", Integer.toString(port),
        "quarkus.grpc.clients.teacher.test-port", Integer.toString(port));
  }

  @Override
  public void stop() {}
}
