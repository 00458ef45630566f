package io.distillery.cli.teacher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code distillery teacher}: commands about teacher models. */
@Command(
    name = "teacher",
    mixinStandardHelpOptions = true,
    description =
        "Teacher models: train one on Fashion-MNIST or a causal LM on text; keys and tokens for"
            + " teacher access control.",
    subcommands = {
      TeacherTrainCommand.class,
      io.distillery.cli.access.TeacherKeygenCommand.class,
      io.distillery.cli.access.TeacherTokenCommand.class,
      io.distillery.cli.access.WatermarkKeyCommand.class
    })
public final class TeacherCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a command: distillery teacher train; try --help");
  }
}
