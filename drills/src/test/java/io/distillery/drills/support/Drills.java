package io.distillery.drills.support;

import java.nio.file.Path;

/**
 * Where the drills find the packaged services, and how big they run: reduced by default (the drills
 * together fit in a few minutes of {@code ./mvnw verify}), the sizes with {@code
 * -Ddistillery.drills=full}.
 */
public final class Drills {

  private Drills() {}

  /** The checkout's root. */
  public static final Path ROOT =
      Path.of(
          System.getProperty(
              "distillery.root", Path.of("").toAbsolutePath().getParent().toString()));

  /** Whether the full sizes were asked for. */
  public static boolean full() {
    return "full".equals(System.getProperty("distillery.drills", "default"));
  }

  /** {@code reduced} normally, {@code fullSize} under {@code -Ddistillery.drills=full}. */
  public static int size(int reduced, int fullSize) {
    return full() ? fullSize : reduced;
  }

  /** A module's packaged Quarkus application. */
  public static Path quarkusApp(String module) {
    return ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
  }

  /** The local Kafka broker's jar. */
  public static Path localKafkaJar() {
    return ROOT.resolve("local-kafka/target/distillery-local-kafka-0.1.0-SNAPSHOT.jar");
  }

  /** A fresh directory for one drill's logs, data and checkpoints. */
  public static Path workDir(String drill) throws java.io.IOException {
    Path dir = ROOT.resolve("drills/target/drill-runs").resolve(drill);
    Files2.deleteRecursively(dir);
    java.nio.file.Files.createDirectories(dir);
    return dir;
  }
}
