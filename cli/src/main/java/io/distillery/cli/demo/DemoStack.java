package io.distillery.cli.demo;

import io.distillery.cli.process.KafkaProcess;
import io.distillery.cli.process.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The processes of a local pipeline: the Kafka broker, teacher, labeler and evaluator, and the
 * trainer jobs started on it. Closing it stops every process it started, newest first.
 */
public final class DemoStack implements AutoCloseable {

  /** Patience for a service to become ready; JVMs start slowly on two busy cores. */
  static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  private final ServiceJars jars;
  private final Path logDir;
  private final KafkaProcess kafka;
  private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();
  private final Map<String, ServiceProcess> trainers = new LinkedHashMap<>();
  private final List<ProcessHandle> everyProcess = new CopyOnWriteArrayList<>();
  private ServiceProcess teacher;
  private ServiceProcess labeler;
  private ServiceProcess evaluator;

  private DemoStack(ServiceJars jars, Path logDir, KafkaProcess kafka) {
    this.jars = jars;
    this.logDir = logDir;
    this.kafka = kafka;
    started.add(kafka);
    everyProcess.add(kafka.handle());
  }

  /**
   * Starts the broker, then the teacher, labeler and evaluator side by side, and waits until all
   * are ready. On failure everything started so far is stopped again.
   */
  public static DemoStack start(
      ServiceJars jars, Path runDir, int partitions, Path teacherDir, Path dataDir)
      throws Exception {
    return start(jars, runDir, partitions, teacherDir, dataDir, ServiceSettings.NONE);
  }

  /**
   * Extra properties per service, on top of the stack's own (broker, ports, teacher address): what
   * a demo track configures, e.g. the labeler's tokenizer for text prompts.
   *
   * @param labeler labeler-service properties
   * @param evaluator evaluator-service properties
   */
  public record ServiceSettings(Map<String, String> labeler, Map<String, String> evaluator) {

    /** Nothing beyond the stack's own properties: the image track. */
    public static final ServiceSettings NONE = new ServiceSettings(Map.of(), Map.of());
  }

  /**
   * As {@link #start(ServiceJars, Path, int, Path, Path)}, with a track's own service properties.
   */
  public static DemoStack start(
      ServiceJars jars,
      Path runDir,
      int partitions,
      Path teacherDir,
      Path dataDir,
      ServiceSettings extra)
      throws Exception {
    Path logDir = runDir.resolve("logs");
    KafkaProcess kafka =
        KafkaProcess.start(
            jars.localKafka(),
            runDir.resolve("kafka"),
            partitions,
            logDir.resolve("kafka.log"),
            START_TIMEOUT);
    DemoStack stack = new DemoStack(jars, logDir, kafka);
    try {
      stack.startServices(teacherDir, dataDir, runDir, extra);
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startServices(Path teacherDir, Path dataDir, Path runDir, ServiceSettings extra)
      throws Exception {
    // The teacher first: labeler and evaluator check it at start-up.
    teacher =
        service(
            jars.teacher(),
            Map.of(
                "distillery.teacher.model-dir",
                teacherDir.toString(),
                "distillery.teacher.engine",
                "OnnxRuntime"),
            "teacher");
    String teacherPort = Integer.toString(teacher.grpcPort());
    Map<String, String> labelerProperties =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "quarkus.grpc.clients.teacher.host",
                "127.0.0.1",
                "quarkus.grpc.clients.teacher.port",
                teacherPort));
    labelerProperties.putAll(extra.labeler());
    CompletableFuture<ServiceProcess> labelerStart =
        startAsync(jars.labeler(), labelerProperties, "labeler");
    Map<String, String> evaluatorProperties =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.grpc.clients.teacher.host", "127.0.0.1",
                "quarkus.grpc.clients.teacher.port", teacherPort,
                "distillery.evaluator.eval-set.data-dir", dataDir.toString(),
                "distillery.evaluator.teacher.cache-dir",
                    runDir.resolve("evaluator-cache").toString()));
    evaluatorProperties.putAll(extra.evaluator());
    CompletableFuture<ServiceProcess> evaluatorStart =
        startAsync(jars.evaluator(), evaluatorProperties, "evaluator");
    // Wait for both, so that a failure of one never leaves the other starting unseen.
    CompletableFuture.allOf(labelerStart, evaluatorStart).exceptionally(failure -> null).join();
    try {
      labeler = labelerStart.join();
      evaluator = evaluatorStart.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private CompletableFuture<ServiceProcess> startAsync(
      Path jar, Map<String, String> properties, String name) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return service(jar, properties, name);
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        });
  }

  private ServiceProcess service(
      Path jar, Map<String, String> properties, String name, String... jvmOptions)
      throws Exception {
    List<String> options = new ArrayList<>(List.of("-Xmx1g"));
    options.addAll(List.of(jvmOptions));
    ServiceProcess process =
        ServiceProcess.start(
            jar, properties, options, logDir.resolve(name + ".log"), START_TIMEOUT);
    started.add(process);
    everyProcess.add(process.handle());
    return process;
  }

  /** Starts a trainer process running one job, configured by {@code properties}. */
  public ServiceProcess startTrainer(String jobId, Map<String, String> properties)
      throws Exception {
    Map<String, String> all = new HashMap<>(properties);
    all.put("distillery.trainer.job-id", jobId);
    all.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    all.put("quarkus.grpc.clients.teacher.host", "127.0.0.1");
    all.put("quarkus.grpc.clients.teacher.port", Integer.toString(teacher.grpcPort()));
    // One PyTorch thread per job: jobs train side by side, one core each.
    ServiceProcess trainer =
        service(jars.trainer(), all, "trainer-" + jobId, "-Dai.djl.pytorch.num_threads=1");
    synchronized (trainers) {
      trainers.put(jobId, trainer);
    }
    return trainer;
  }

  /** The trainer processes still running, by job id. */
  public Map<String, ServiceProcess> trainers() {
    synchronized (trainers) {
      return new LinkedHashMap<>(trainers);
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public ServiceProcess teacher() {
    return teacher;
  }

  public ServiceProcess labeler() {
    return labeler;
  }

  public ServiceProcess evaluator() {
    return evaluator;
  }

  /** Every process this stack has started, including those already stopped. */
  public List<ProcessHandle> everyProcess() {
    return List.copyOf(everyProcess);
  }

  @Override
  public void close() {
    List<AutoCloseable> newestFirst = new ArrayList<>(started);
    java.util.Collections.reverse(newestFirst);
    for (AutoCloseable process : newestFirst) {
      quietClose(process);
    }
    started.clear();
  }

  private void quietClose(AutoCloseable process) {
    try {
      process.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println("could not stop " + process + ": " + e.getMessage());
    }
  }
}
