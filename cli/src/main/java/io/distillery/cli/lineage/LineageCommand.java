package io.distillery.cli.lineage;

import io.distillery.cli.kafka.DurationConverter;
import io.distillery.cli.kafka.KafkaClientOptions;
import io.distillery.cli.kafka.KafkaClientSettings;
import io.distillery.models.lineage.Finding;
import io.distillery.models.lineage.Lineage;
import io.distillery.models.lineage.LineageOptions;
import io.distillery.models.lineage.LineageTracer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code distillery lineage}: where a checkpoint's knowledge came from, verified. */
@Command(
    name = "lineage",
    mixinStandardHelpOptions = true,
    description = {
      "Print the chain from a checkpoint back to its labels — teacher cards (model, version,"
          + " artifact sha256, licence, overrides), datasets and prompt counts, offset ranges per"
          + " partition, loss settings, evaluation history — and verify it: file digests against"
          + " the manifest, the manifest against its event on distill.checkpoints, the teacher"
          + " cards against the soft labels the ranges cite (a sample, or --all-labels).",
      "Exit code 0 when the lineage verifies, 3 when something does not match (each mismatch is"
          + " named on stderr), 1 when there is nothing to trace."
    })
public final class LineageCommand implements Callable<Integer> {

  /** Exit code when the lineage does not verify. */
  public static final int NOT_VERIFIED = 3;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "<job-id | checkpoint-dir>",
      description =
          "A checkpoint directory (<root>/<job>/step-<n>), or a job id: its latest announced"
              + " checkpoint (or --step).")
  String target;

  @Option(
      names = {"-b", "--bootstrap-servers"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--step", description = "With a job id: this step instead of the latest.")
  Long step;

  @Option(
      names = "--labels",
      defaultValue = "200",
      description =
          "Cited soft labels to read back and check, evenly spread (default: ${DEFAULT-VALUE}).")
  int labelSample;

  @Option(names = "--all-labels", description = "Read back every cited soft label.")
  boolean allLabels;

  @Option(
      names = "--checkpoints-topic",
      defaultValue = "distill.checkpoints",
      description = "Checkpoint events (default: ${DEFAULT-VALUE}).")
  String checkpointsTopic;

  @Option(
      names = "--evaluations-topic",
      defaultValue = "distill.evaluations",
      description = "Evaluation events (default: ${DEFAULT-VALUE}).")
  String evaluationsTopic;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Longest time for each topic read, e.g. 30s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", description = "Print JSON instead of tables.")
  boolean json;

  @Mixin KafkaClientOptions kafkaClient;

  @Override
  public Integer call() throws Exception {
    kafkaClient.install();
    LineageOptions defaults = LineageOptions.defaults(bootstrapServers);
    LineageOptions options =
        new LineageOptions(
            KafkaClientSettings.applyTo(defaults.kafka()),
            checkpointsTopic,
            evaluationsTopic,
            allLabels ? 0 : Math.max(1, labelSample),
            timeout);
    LineageTracer tracer = new LineageTracer(options);
    Path dir = Path.of(target);
    Lineage lineage =
        Files.isDirectory(dir)
            ? tracer.trace(dir)
            : tracer.traceJob(target, step == null ? OptionalLong.empty() : OptionalLong.of(step));
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        json ? LineageJson.write(lineage) + System.lineSeparator() : LineageText.render(lineage));
    out.flush();
    if (lineage.verified()) {
      return 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.printf(
        "distillery lineage: %s step %d does NOT verify (%d mismatch(es)):%n",
        lineage.jobId(), lineage.step(), lineage.mismatches().size());
    for (Finding f : lineage.mismatches()) {
      err.println("  [" + f.check() + "] " + f.message());
    }
    err.flush();
    return NOT_VERIFIED;
  }
}
