package io.distillery.cli.process;

import java.io.IOException;
import java.net.ServerSocket;
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
 * A Distillery service started as its own process from its packaged Quarkus jar, on free ports,
 * awaited until ready and stopped (with its process tree) on close.
 */
public final class ServiceProcess implements AutoCloseable {

  /**
   * HTTP/1.1 (no h2c upgrade) with timeouts: a busy service must never hang its caller, and a
   * request left unanswered is a failure the caller can retry.
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final int httpPort;
  private final int grpcPort;
  private final Path log;

  private ServiceProcess(Process process, int httpPort, int grpcPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
    this.log = log;
  }

  /**
   * Starts {@code quarkus-run.jar} with the given system properties and waits for readiness.
   *
   * @throws IllegalStateException when the jar is missing, the process exits or readiness does not
   *     come within {@code timeout}; the message points at the log
   */
  public static ServiceProcess start(
      Path jar, Map<String, String> properties, List<String> jvmOptions, Path log, Duration timeout)
      throws IOException, InterruptedException {
    return start(jar, null, freePort(), properties, jvmOptions, log, timeout);
  }

  /**
   * Like {@link #start(Path, Map, List, Path, Duration)}, with the gRPC server bound to {@code
   * grpcHost:grpcPort}: replicas of one service on several loopback addresses (127.0.0.1,
   * 127.0.0.2, …) share a port, as pods behind one name do.
   */
  public static ServiceProcess start(
      Path jar,
      String grpcHost,
      int grpcPort,
      Map<String, String> properties,
      List<String> jvmOptions,
      Path log,
      Duration timeout)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing; build it first with ./mvnw -q install -DskipTests");
    }
    int httpPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dai.djl.offline=true");
    command.addAll(jvmOptions);
    command.add("-Dquarkus.http.port=" + httpPort);
    command.add("-Dquarkus.grpc.server.port=" + grpcPort);
    if (grpcHost != null) {
      command.add("-Dquarkus.grpc.server.host=" + grpcHost);
    }
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(jar.toString());
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
    Process process = ChildProcesses.track(builder.start());
    ServiceProcess service = new ServiceProcess(process, httpPort, grpcPort, log);
    try {
      service.awaitReady(timeout);
    } catch (RuntimeException | InterruptedException e) {
      service.close();
      throw e;
    }
    return service;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "service exited with code " + process.exitValue() + "; see " + log);
      }
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("service not ready after " + timeout + "; see " + log);
  }

  /**
   * The value of one Prometheus sample from {@code /q/metrics}, e.g. {@code
   * distillery_teacher_batch_size_sum}, or NaN when absent.
   */
  public double metric(String name) throws IOException, InterruptedException {
    for (String line : metrics().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** CPU time the service process has used so far. */
  public Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The service's Prometheus metrics as text. */
  public String metrics() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
            .timeout(REQUEST_TIMEOUT)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The gRPC port. */
  public int grpcPort() {
    return grpcPort;
  }

  /** The HTTP port (health, metrics). */
  public int httpPort() {
    return httpPort;
  }

  /** The operating-system process, e.g. to check that it is gone. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Whether the process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The service's log file. */
  public Path log() {
    return log;
  }

  /** Resident set size of the process in bytes, from /proc; -1 where /proc is not available. */
  public long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", "" + process.pid(), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // Not Linux, or the process is gone.
    }
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    ChildProcesses.forget(process);
  }

  /** A port free on this machine now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
