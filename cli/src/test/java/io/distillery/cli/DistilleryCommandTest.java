package io.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Command-line parsing only: plain JUnit. */
class DistilleryCommandTest {

  @Test
  void helpListsTheDemoCommand() {
    StringWriter out = new StringWriter();
    CommandLine command = new CommandLine(new DistilleryCommand()).setOut(new PrintWriter(out));
    assertEquals(0, command.execute("--help"));
    assertTrue(out.toString().contains("demo"), out.toString());
  }

  @Test
  void unknownCommandFailsWithUsageError() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new DistilleryCommand()).setErr(new PrintWriter(err));
    assertEquals(2, command.execute("train-everything"));
    assertTrue(err.toString().contains("train-everything"), err.toString());
  }

  @Test
  void demoSaysItIsNotImplementedYetAndFails() {
    assertEquals(
        DemoCommand.NOT_IMPLEMENTED, new CommandLine(new DistilleryCommand()).execute("demo"));
  }
}
