package io.distillery.cli.process;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local Kafka broker ({@code local-kafka}'s jar) as its own process: started on a free port,
 * awaited until it has created the Distillery topics, stopped on close.
 */
public final class KafkaProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private KafkaProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts the broker with its data under {@code dataDir} and waits until it says it is ready.
   *
   * @throws IllegalStateException when the jar is missing, the broker exits or is not ready within
   *     {@code timeout}; the message points at the log
   */
  public static KafkaProcess start(
      Path jar, Path dataDir, int partitions, Path log, Duration timeout)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing; build it first with ./mvnw -q install -DskipTests");
    }
    int port = freePort();
    Files.createDirectories(log.getParent());
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-jar",
            jar.toString(),
            "--port",
            Integer.toString(port),
            "--partitions",
            Integer.toString(partitions),
            "--data-dir",
            dataDir.toString());
    Process process =
        ChildProcesses.track(
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start());
    KafkaProcess kafka = new KafkaProcess(process, port, log);
    try {
      kafka.awaitReady(timeout);
    } catch (RuntimeException | InterruptedException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the Kafka broker exited with code " + process.exitValue() + "; see " + log);
      }
      // local-kafka prints this line only after the topics exist.
      if (Files.exists(log) && Files.readString(log).contains(" ready at ")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the Kafka broker is not ready after " + timeout + "; see " + log);
  }

  /** {@code host:port} for clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The operating-system process, e.g. to check that it is gone. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    ChildProcesses.forget(process);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
