package io.distillery.drills.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged service (or the broker) as its own JVM, on ports fixed for its whole life so that it
 * can be SIGKILLed and started again where its clients expect it. Logs of every life go to one
 * file.
 */
public final class JvmProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final String name;
  private final List<String> command;
  private final Path log;
  private final int httpPort;
  private Process process;
  private int lives;

  private JvmProcess(String name, List<String> command, Path log, int httpPort) {
    this.name = name;
    this.command = command;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * A Quarkus service: {@code java -jar quarkus-run.jar} with its HTTP and gRPC ports and the given
   * system properties.
   */
  public static JvmProcess service(
      String name,
      Path jar,
      int httpPort,
      int grpcPort,
      Map<String, String> properties,
      List<String> jvmOptions,
      Path log) {
    requireJar(jar);
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-Dai.djl.offline=true");
    command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
    command.addAll(jvmOptions);
    command.add("-Dquarkus.http.port=" + httpPort);
    command.add("-Dquarkus.grpc.server.port=" + grpcPort);
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(jar.toString());
    return new JvmProcess(name, command, log, httpPort);
  }

  /** Any JVM command (the broker's), without an HTTP port. */
  public static JvmProcess command(String name, Path jar, List<String> arguments, Path log) {
    requireJar(jar);
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx768m", "-jar", jar.toString()));
    command.addAll(arguments);
    return new JvmProcess(name, command, log, -1);
  }

  /** Starts a new life of the process. */
  public synchronized JvmProcess start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        "==== " + name + " life " + (++lives) + " ====\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    process = builder.start();
    return this;
  }

  /** Waits until {@code /q/health/ready} answers 200. */
  public JvmProcess awaitReady(Duration timeout) throws InterruptedException {
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready after " + timeout + "; see " + log);
  }

  /** Waits until the log of the current life contains {@code text}. */
  public JvmProcess awaitLog(String text, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String marker = "==== " + name + " life " + lives + " ====";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + log);
      }
      String all = Files.readString(log);
      if (all.substring(all.lastIndexOf(marker)).contains(text)) {
        return this;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " never logged '" + text + "'; see " + log);
  }

  /** SIGKILL: no shutdown hook, no flush, no commit. Returns the exit code (137). */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " survived SIGKILL");
    }
    return process.exitValue();
  }

  /** The service's Prometheus text. */
  public String metrics() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
            .timeout(Duration.ofSeconds(10))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The HTTP status of {@code /q/health/ready} now, or -1 when it does not answer. */
  public int readiness() throws InterruptedException {
    try {
      HttpRequest ready =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
              .timeout(Duration.ofSeconds(5))
              .build();
      return HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Stops the process gracefully (SIGTERM), forcibly after 20 s. */
  @Override
  public void close() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void requireJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing; package the services first: ./mvnw install -DskipTests");
    }
  }
}
