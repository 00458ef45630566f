package io.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Command-line parsing only: plain JUnit. */
class DistilleryCommandTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command =
        new CommandLine(new DistilleryCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err));
    int code = command.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommand() {
    Run help = run("--help");
    assertEquals(0, help.exitCode());
    for (String command :
        List.of("demo", "produce", "status", "teacher", "bench", "audit", "lineage")) {
      assertTrue(help.out().contains(command), help.out());
    }
  }

  @Test
  void everyCommandHasHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(new CommandLine(new DistilleryCommand()), new ArrayList<>(), paths);
    assertTrue(paths.contains(List.of("teacher", "train")), paths.toString());
    assertTrue(paths.contains(List.of("produce")), paths.toString());
    assertTrue(paths.contains(List.of("status")), paths.toString());
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Run help = run(args.toArray(String[]::new));
      assertEquals(0, help.exitCode(), path + ": " + help.err());
      assertTrue(
          help.out().contains("Usage: distillery " + String.join(" ", path)),
          path + ": " + help.out());
      assertTrue(help.err().isEmpty(), path + ": " + help.err());
    }
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help") || !sub.getCommandName().equals(name)) {
                return; // the help command itself, and aliases
              }
              List<String> subPath = new ArrayList<>(path);
              subPath.add(name);
              paths.add(subPath);
              collect(sub, subPath, paths);
            });
  }

  @Test
  void unknownCommandFailsWithUsageError() {
    Run run = run("train-everything");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("train-everything"), run.err());
  }

  @Test
  void teacherWithoutASubcommandFailsWithUsageError() {
    Run run = run("teacher");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("distillery teacher train"), run.err());
  }

  @Test
  void produceNeedsExactlyOneSource() {
    Run none = run("produce");
    assertEquals(2, none.exitCode());
    assertTrue(none.err().contains("--fashion-mnist") && none.err().contains("--file"), none.err());

    Run both = run("produce", "--fashion-mnist", "train", "--file", "x.jsonl");
    assertEquals(2, both.exitCode());
    assertTrue(both.err().contains("mutually exclusive"), both.err());

    Run badSplit = run("produce", "--fashion-mnist", "validation");
    assertEquals(2, badSplit.exitCode());
    assertTrue(badSplit.err().contains("train, test"), badSplit.err());
  }

  @Test
  void teacherTrainNeedsAnOutputDirectoryAndValidValues() {
    Run noOut = run("teacher", "train", "--epochs", "1");
    assertEquals(2, noOut.exitCode());
    assertTrue(noOut.err().contains("--out"), noOut.err());

    Run badNumber = run("teacher", "train", "--out", "x", "--epochs", "ten");
    assertEquals(2, badNumber.exitCode());
    assertTrue(badNumber.err().contains("'ten'"), badNumber.err());

    Run badConfig = run("teacher", "train", "--out", "x", "--epochs", "0");
    assertEquals(2, badConfig.exitCode());
    assertTrue(badConfig.err().contains("epochs must be >= 1, got 0"), badConfig.err());
    assertFalse(badConfig.err().contains("Exception"), badConfig.err());
  }
}
