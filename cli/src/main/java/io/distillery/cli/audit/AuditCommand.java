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
        "Query the audit log (topic distill.audit): teacher access decisions, licence-gate"
            + " decisions and promotions, by kind, client, RPC, job, teacher, decision and time"
            + " range; a table or JSON lines.")
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

  @Option(
      names = "--kind",
      description = "Only this kind: teacher-access, licence-gate, promotion.")
  String kind;

  @Option(names = "--job", description = "Only events about this training job.")
  String job;

  @Option(
      names = "--teacher",
      description = "Only events about this teacher: its model id, or a prefix of its sha256.")
  String teacher;

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
                && (kind == null || kind.equals(kindOf(e)))
                && (job == null || job.equals(e.getJobId()))
                && (teacher == null
                    || teacher.equals(e.getTeacherModelId())
                    || (!e.getTeacherSha256().isEmpty()
                        && e.getTeacherSha256().startsWith(teacher)))
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
          "%-24s %-14s %-18s %-12s %-20s %7s %5s %-8s %-19s %-14s %s%n",
          "time",
          "kind",
          "client",
          "rpc",
          "job@step",
          "samples",
          "k",
          "decision",
          "status",
          "reason",
          "message");
      for (AuditEvent e : result.events()) {
        out.printf(
            "%-24s %-14s %-18s %-12s %-20s %7d %5d %-8s %-19s %-14s %s%n",
            Instant.ofEpochMilli(e.getTimeMs()),
            kindOf(e),
            e.getClient(),
            e.getRpc().isEmpty() ? "-" : e.getRpc(),
            e.getJobId().isEmpty() ? "-" : e.getJobId() + "@" + e.getStep(),
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

  /** The event's kind; events written before kinds existed are teacher access decisions. */
  static String kindOf(AuditEvent e) {
    return e.getKind().isEmpty() ? "teacher-access" : e.getKind();
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
