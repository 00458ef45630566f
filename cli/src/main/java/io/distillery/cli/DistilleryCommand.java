package io.distillery.cli;

import io.distillery.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code distillery} command line: the entry point a new user runs first. */
@Command(
    name = "distillery",
    mixinStandardHelpOptions = true,
    versionProvider = DistilleryCommand.Version.class,
    description = "Event-driven knowledge distillation on Apache Kafka and DJL.",
    subcommands = {DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class DistilleryCommand implements Runnable {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DistilleryCommand()).execute(args));
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
