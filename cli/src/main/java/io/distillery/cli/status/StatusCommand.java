package io.distillery.cli.status;

import io.distillery.cli.kafka.DurationConverter;
import io.distillery.cli.kafka.KafkaClientOptions;
import io.distillery.cli.kafka.KafkaUnavailableException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code distillery status}: topics, consumer-group lag and the latest evaluations. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show a Distillery cluster: topics with partitions and record counts, the distillery-*"
          + " consumer groups with their lag per topic, and the latest evaluation of every job.",
      "Exit code 1 when the cluster cannot be reached."
    })
public final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaClientOptions kafkaClient;

  @Option(
      names = {"-b", "--bootstrap-servers"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "How long to wait for the cluster, e.g. 500ms, 10s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", description = "Print JSON instead of tables.")
  boolean json;

  @Override
  public Integer call() {
    kafkaClient.install();
    PrintWriter out = spec.commandLine().getOut();
    try {
      ClusterStatus status = ClusterReader.read(bootstrapServers, timeout);
      out.print(
          json ? StatusJson.write(status) + System.lineSeparator() : StatusText.render(status));
      out.flush();
      return 0;
    } catch (KafkaUnavailableException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("distillery status: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
