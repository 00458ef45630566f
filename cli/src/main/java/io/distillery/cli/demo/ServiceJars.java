package io.distillery.cli.demo;

import io.distillery.cli.progress.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where the packaged broker and services live in a checkout, and how to build them. */
public record ServiceJars(
    Path root, Path localKafka, Path teacher, Path labeler, Path trainer, Path evaluator) {

  private static final Pattern MODULE_LINE =
      Pattern.compile("Building Distillery :: .*\\[(\\d+)/(\\d+)]");

  /** The jars of the checkout at {@code root}. */
  public static ServiceJars in(Path root) {
    return new ServiceJars(
        root,
        root.resolve("local-kafka/target/distillery-local-kafka-0.1.0-SNAPSHOT.jar"),
        quarkusApp(root, "teacher-service"),
        quarkusApp(root, "labeler-service"),
        quarkusApp(root, "trainer-service"),
        quarkusApp(root, "evaluator-service"));
  }

  private static Path quarkusApp(Path root, String module) {
    return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
  }

  /** The jars that do not exist yet. */
  public List<Path> missing() {
    return List.of(localKafka, teacher, labeler, trainer, evaluator).stream()
        .filter(jar -> !Files.isRegularFile(jar))
        .toList();
  }

  /**
   * Builds the project with its Maven wrapper (tests skipped) when a jar is missing, showing the
   * modules as progress; the full Maven output goes to {@code log}.
   */
  public void buildIfMissing(Path log, PrintStream out) throws IOException, InterruptedException {
    List<Path> missing = missing();
    if (missing.isEmpty()) {
      out.println("Services are built.");
      return;
    }
    out.println("Building the services (first run only; " + missing.size() + " jars missing)...");
    Files.createDirectories(log.getParent());
    Process maven =
        new ProcessBuilder(
                root.resolve("mvnw").toString(),
                "-f",
                root.resolve("pom.xml").toString(),
                "-B",
                "-pl",
                "local-kafka,teacher-service,labeler-service,trainer-service,evaluator-service",
                "-am",
                "install",
                "-DskipTests",
                "-Dspotless.check.skip=true")
            .redirectErrorStream(true)
            .start();
    Progress progress = null;
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(maven.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter file = new PrintWriter(Files.newBufferedWriter(log))) {
      String line;
      while ((line = lines.readLine()) != null) {
        file.println(line);
        Matcher module = MODULE_LINE.matcher(line);
        if (module.find()) {
          if (progress == null) {
            progress = Progress.start("build", Long.parseLong(module.group(2)), "modules", out);
          }
          progress.stepTo(Long.parseLong(module.group(1)) - 1);
        }
      }
    } finally {
      if (progress != null) {
        progress.stepTo(progress.current() + 1);
        progress.close();
      }
    }
    int exit = maven.waitFor();
    if (exit != 0 || !missing().isEmpty()) {
      throw new IllegalStateException(
          "the build failed (exit "
              + exit
              + "); see "
              + log
              + " or run ./mvnw install -DskipTests");
    }
  }
}
