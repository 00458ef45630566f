package io.distillery.cli.audit;

import com.google.protobuf.util.JsonFormat;
import io.distillery.cli.kafka.KafkaClientOptions;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distillery audit}: who was allowed or refused what, from the audit topic. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description =
        "Query the audit log (topic distill.audit): teacher access decisions, by client, RPC,"
            + " decision and time range; a table or JSON lines.")
public final class AuditCommand implements Callable<Integer> {

  @Mixin KafkaClientOptions kafkaClient;

  @Option(
      names = {"-b", "--bootstrap-servers"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "distill.audit", description = "Audit topic.")
  String topic;

  @Option(names = "--client", description = "Only this client id.")
  String client;

  @Option(names = "--rpc", description = "Only this RPC (describe, label, label-stream).")
  String rpc;

  @Option(names = "--refused", description = "Only refused calls.")
  boolean refusedOnly;

  @Option(
      names = "--since",
      description = "From this time: an instant (2026-12-06T20:00:00Z) or a duration back (PT1H).")
  String since;

  @Option(names = "--until", description = "Up to this instant or duration back.")
  String until;

  @Option(names = "--json", description = "Print one JSON object per line.")
  boolean json;

  @Option(names = "--timeout", defaultValue = "PT30S", description = "Longest time to read.")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    kafkaClient.install();
    return run(System.out);
  }

  /** Reads, filters and prints to {@code out}. */
  int run(PrintStream out) throws Exception {
    Optional<Instant> from = Optional.ofNullable(since).map(AuditCommand::time);
    Optional<Instant> to = Optional.ofNullable(until).map(AuditCommand::time);
    Predicate<AuditEvent> filter =
        e ->
            (client == null || client.equals(e.getClient()))
                && (rpc == null || rpc.equals(e.getRpc()))
                && (!refusedOnly || e.getDecision() == AuditDecision.AUDIT_DECISION_REFUSED)
                && from.map(t -> e.getTimeMs() >= t.toEpochMilli()).orElse(true)
                && to.map(t -> e.getTimeMs() <= t.toEpochMilli()).orElse(true);
    AuditReader.Result result = AuditReader.read(bootstrapServers, topic, from, filter, timeout);
    print(result, out);
    return 0;
  }

  void print(AuditReader.Result result, PrintStream out) throws Exception {
    if (json) {
      JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
      for (AuditEvent e : result.events()) {
        out.println(printer.print(e));
      }
    } else {
      out.printf(
          "%-24s %-18s %-12s %7s %5s %-8s %-19s %-14s %s%n",
          "time", "client", "rpc", "samples", "k", "decision", "status", "reason", "message");
      for (AuditEvent e : result.events()) {
        out.printf(
            "%-24s %-18s %-12s %7d %5d %-8s %-19s %-14s %s%n",
            Instant.ofEpochMilli(e.getTimeMs()),
            e.getClient(),
            e.getRpc(),
            e.getSamples(),
            e.getTopK(),
            e.getDecision() == AuditDecision.AUDIT_DECISION_ALLOWED ? "allowed" : "refused",
            e.getStatus(),
            e.getReason(),
            e.getMessage());
      }
      out.printf("%d event(s)%n", result.events().size());
    }
    if (result.unreadable() > 0) {
      System.err.printf("%d record(s) on the topic were not AuditEvents%n", result.unreadable());
    }
  }

  static Instant time(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notInstant) {
      try {
        return Instant.now().minus(Duration.parse(value));
      } catch (DateTimeParseException notDuration) {
        throw new IllegalArgumentException(
            "expected an instant (2026-12-06T20:00:00Z) or a duration (PT1H), got " + value);
      }
    }
  }
}
