package io.distillery.drills.support;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local Kafka broker as its own process with a fixed port and data directory: hard-killed and
 * restarted, it comes back with its log (the data directory survives) where clients look.
 */
public final class Broker implements AutoCloseable {

  private final JvmProcess process;
  private final int port;

  public Broker(Path dataDir, int partitions, Path log) {
    this.port = Ports.free();
    this.process =
        JvmProcess.command(
            "kafka",
            Drills.localKafkaJar(),
            List.of(
                "--port",
                Integer.toString(port),
                "--controller-port",
                Integer.toString(Ports.free()),
                "--partitions",
                Integer.toString(partitions),
                "--data-dir",
                dataDir.toString(),
                // A restart replays the log; on a loaded machine that outlasts the default 60 s.
                "--start-timeout",
                "170"),
            log);
  }

  /** Starts the broker and waits until it has created the topics. */
  public Broker start() throws IOException, InterruptedException {
    process.start().awaitLog(" ready at ", Duration.ofMinutes(3));
    return this;
  }

  /** SIGKILL. */
  public int kill() throws InterruptedException {
    return process.kill();
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
