package io.distillery.localkafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LocalKafkaMainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = LocalKafkaMain.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void nonNumericPortIsAUsageError() {
    assertEquals(2, run("--port", "abc"));
    assertTrue(
        err.toString().contains("Invalid value for option '--port': 'abc' is not an int"),
        err.toString());
    assertTrue(err.toString().contains("Usage: local-kafka"), err.toString());
  }

  @Test
  void outOfRangePortNamesTheRange() {
    assertEquals(2, run("--port", "70000"));
    assertTrue(
        err.toString()
            .contains("Invalid value for option '--port': 70000 is not a TCP port (0-65535)"),
        err.toString());
  }

  @Test
  void badControllerPortAndPartitionsAreRejected() {
    assertEquals(2, run("--controller-port", "-1"));
    assertTrue(
        err.toString().contains("'--controller-port': -1 is not a TCP port"), err.toString());
    assertEquals(2, run("--partitions", "0"));
    assertTrue(err.toString().contains("'--partitions': must be >= 1, was 0"), err.toString());
    assertEquals(2, run("--start-timeout", "0"));
    assertTrue(err.toString().contains("'--start-timeout': must be >= 1, was 0"), err.toString());
  }

  @Test
  void scramUserNeedsNameAndPasswordAndClientConfigNeedsAUser() {
    assertEquals(2, run("--port", "0", "--scram-user", "nopassword"));
    assertTrue(
        err.toString().contains("'--scram-user': expected NAME:PASSWORD, was nopassword"),
        err.toString());
    assertEquals(2, run("--port", "0", "--client-config", "/tmp/never-written.properties"));
    assertTrue(err.toString().contains("--client-config needs a --scram-user"), err.toString());
  }

  @Test
  void helpListsTheOptions() {
    assertEquals(0, run("--help"));
    for (String option :
        new String[] {
          "--data-dir",
          "--port",
          "--controller-port",
          "--partitions",
          "--scram-user",
          "--client-config",
          "--start-timeout"
        }) {
      assertTrue(out.toString().contains(option), out.toString());
    }
  }
}
