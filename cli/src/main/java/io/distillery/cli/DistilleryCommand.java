package io.distillery.cli;

import io.distillery.cli.bench.BenchCommand;
import io.distillery.cli.produce.ProduceCommand;
import io.distillery.cli.status.StatusCommand;
import io.distillery.cli.teacher.TeacherCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code distillery} command line: the entry point a new user runs first. */
@Command(
    name = "distillery",
    mixinStandardHelpOptions = true,
    versionProvider = DistilleryCommand.Version.class,
    description = "Event-driven knowledge distillation on Apache Kafka and DJL.",
    subcommands = {
      DemoCommand.class,
      ProduceCommand.class,
      StatusCommand.class,
      TeacherCommand.class,
      BenchCommand.class,
      io.distillery.cli.audit.AuditCommand.class,
      io.distillery.cli.lineage.LineageCommand.class,
      io.distillery.cli.detect.DetectCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DistilleryCommand implements Runnable {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with Distillery's handling of failures. */
  static CommandLine commandLine() {
    // One command per process; in tests one per commandLine(): no settings carry over.
    io.distillery.cli.kafka.KafkaClientSettings.clear();
    return new CommandLine(new DistilleryCommand())
        .setExecutionExceptionHandler(DistilleryCommand::reportFailure);
  }

  /**
   * A failing command says what failed in one line (with its causes) and exits with 1; the stack
   * trace is for developers, with {@code DISTILLERY_DEBUG=1}.
   */
  private static int reportFailure(
      Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
    StringBuilder message = new StringBuilder(command.getCommandName()).append(": ");
    message.append(failure.getMessage() == null ? failure.toString() : failure.getMessage());
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
        message.append(" (").append(cause.getMessage()).append(')');
      }
    }
    command.getErr().println(message);
    if (System.getenv("DISTILLERY_DEBUG") != null) {
      failure.printStackTrace(command.getErr());
    }
    return 1;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command; try --help");
  }

  /** Reads the version Maven wrote into the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = DistilleryCommand.class.getPackage().getImplementationVersion();
      return new String[] {"distillery " + (version == null ? "(development build)" : version)};
    }
  }
}
