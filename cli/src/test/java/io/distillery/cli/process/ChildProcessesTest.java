package io.distillery.cli.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A command's JVM that gets SIGTERM stops the processes it started. */
class ChildProcessesTest {

  /** Starts a long-lived child, prints its pid, then waits to be terminated. */
  public static void main(String[] args) throws Exception {
    Process child = ChildProcesses.track(new ProcessBuilder("sleep", "600").start());
    System.out.println(child.pid());
    System.out.flush();
    Thread.sleep(600_000);
  }

  @Test
  void sigtermToTheCommandStopsItsChildren() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process command =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ChildProcessesTest.class.getName()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    long childPid;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
      childPid = Long.parseLong(out.readLine().trim());
    }
    ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
    assertTrue(child.isAlive(), "positive control: the child runs while the command runs");

    command.destroy(); // SIGTERM
    assertTrue(command.waitFor(30, TimeUnit.SECONDS), "the command exits on SIGTERM");
    child.onExit().get(15, TimeUnit.SECONDS);
    assertFalse(child.isAlive(), "the child was stopped by the command's shutdown hook");
  }

  @Test
  void aProcessClosedByItsOwnerIsForgotten() throws Exception {
    int before = ChildProcesses.running();
    Process sleeper = ChildProcesses.track(new ProcessBuilder("sleep", "600").start());
    assertEquals(before + 1, ChildProcesses.running());
    sleeper.destroy();
    sleeper.waitFor(10, TimeUnit.SECONDS);
    ChildProcesses.forget(sleeper);
    assertEquals(before, ChildProcesses.running());
  }
}
