package io.distillery.cli.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code promtool check rules deploy/prometheus/rules.yml} must pass; a missing promtool fails. */
class PromtoolCheckRulesTest {

  @Test
  void rulesPassPromtool() throws Exception {
    String configured = System.getenv("PROMTOOL_BIN");
    Path promtool =
        Path.of(configured != null && !configured.isBlank() ? configured : "/usr/bin/promtool");
    assertTrue(
        Files.isExecutable(promtool),
        "promtool is not installed at "
            + promtool
            + ": install the Debian package prometheus (.ci/run does) or set PROMTOOL_BIN");
    Path rules = PromQlCatalog.repositoryRoot().resolve("deploy/prometheus/rules.yml");
    Process process =
        new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, process.exitValue(), "promtool check rules failed:\n" + output);
    assertTrue(output.contains("SUCCESS"), output);
  }
}
