package io.distillery.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.observability.ObservabilityCheck;
import io.distillery.cli.observability.PromQlCatalog;
import io.distillery.cli.observability.PrometheusServer;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.augment.TransferSet;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.OffsetRange;
import io.distillery.proto.v1.SoftLabelEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo, reduced (a tiny teacher, 3,000 prompts, one seed, a few hundred steps per job), through
 * the real processes: broker, teacher, labeler, evaluator and two trainers, each its own JVM.
 */
class DemoPipelineIT {

  static final int PROMPTS = 3_000;
  static final int PASSES = 8;
  // The MLP student alone on the images themselves: the reduced demo checks the pipeline, not the
  // transfer set (the producer's views are tested in ProduceTest).
  static final StudentPlan MLP = ChosenSettings.training().students().get(0).withPasses(PASSES);
  static final String HARD = "mlp-hard-s1";
  static final String KD = "mlp-kd-s1";

  static final Path ROOT =
      Path.of(
          System.getProperty(
              "distillery.root", Path.of("").toAbsolutePath().getParent().toString()));

  static DemoReport report;
  static DemoSettings settings;
  static String bootstrap;
  static List<ProcessHandle> processes = new ArrayList<>();
  static Map<String, List<CheckpointEvent>> checkpoints = new HashMap<>();
  static Map<String, List<EvaluationEvent>> evaluations = new HashMap<>();
  static List<ConsumerRecord<String, byte[]>> softLabels;
  static List<ConsumerRecord<String, byte[]>> deadLetters;
  static PrometheusServer prometheus;
  static List<String> emptyQueries;
  static int catalogSize;

  @BeforeAll
  static void runReducedDemo() throws Exception {
    Path runDir = ROOT.resolve("cli/target/it-demo");
    DemoSettings.Training chosen = ChosenSettings.training();
    deleteRecursively(runDir);
    settings =
        new DemoSettings(
            ROOT,
            runDir,
            ROOT.resolve("cli/target/it-cache"),
            Optional.empty(),
            // One epoch: a teacher good enough (≈85%) that copying it is worth something.
            1,
            0,
            PROMPTS,
            List.of(1),
            false,
            2,
            TransferSet.plain(),
            new DemoSettings.Training(
                List.of(MLP),
                chosen.batchSize(),
                chosen.learningRate(),
                chosen.temperature(),
                chosen.alpha(),
                chosen.checkpointIntervalSteps(),
                chosen.extra()),
            2);
    DemoHooks hooks =
        new DemoHooks() {
          @Override
          public int servicesStarted(DemoStack stack) throws Exception {
            bootstrap = stack.bootstrapServers();
            // Scraped from the start, so the dashboards see the labelling as it happens.
            prometheus = PrometheusServer.forDistillery(targets(stack));
            kcat(stack.bootstrapServers(), "kcat-json-1", jsonPrompt("kcat-json-1"));
            kcat(stack.bootstrapServers(), "kcat-bad-1", "{\"id\": \"kcat-bad-1\", \"input\": 42}");
            return 2;
          }

          @Override
          public void trainingFinished(DemoStack stack, PipelineEvents events) throws Exception {
            processes.addAll(stack.everyProcess());
            // The trainers exist only now: scrape them too, then ask every dashboard and rule
            // query.
            prometheus.scrape(targets(stack));
            prometheus.awaitTargetsUp(Duration.ofSeconds(60));
            Thread.sleep(5_000); // rate() needs two scrapes of the trainers
            PromQlCatalog catalog = PromQlCatalog.load(ROOT);
            catalogSize = catalog.queries().size();
            emptyQueries = ObservabilityCheck.emptyQueries(prometheus, catalog);
            for (DemoJob job :
                List.of(new DemoJob(MLP, JobKind.HARD, 1), new DemoJob(MLP, JobKind.KD, 1))) {
              checkpoints.put(job.id(), events.checkpoints(job.id()));
              evaluations.put(job.id(), events.evaluations(job.id()));
            }
            softLabels =
                TopicReader.read(
                    bootstrap, DistilleryTopics.SOFT_LABELS, PROMPTS + 1, Duration.ofSeconds(30));
            deadLetters =
                TopicReader.read(
                    bootstrap, DistilleryTopics.PROMPTS_DLQ, 1, Duration.ofSeconds(30));
          }
        };
    try {
      report =
          new DemoPipeline(settings, DataOptions.in(settings.cacheDir()), hooks, System.out).run();
    } finally {
      if (prometheus != null) {
        processes.add(prometheus.handle());
        prometheus.close();
      }
    }
  }

  static Map<String, List<String>> targets(DemoStack stack) {
    Map<String, List<String>> targets = new java.util.LinkedHashMap<>();
    targets.put("teacher", List.of("127.0.0.1:" + stack.teacher().httpPort()));
    targets.put("labeler", List.of("127.0.0.1:" + stack.labeler().httpPort()));
    targets.put("evaluator", List.of("127.0.0.1:" + stack.evaluator().httpPort()));
    List<String> trainers =
        stack.trainers().values().stream().map(t -> "127.0.0.1:" + t.httpPort()).toList();
    if (!trainers.isEmpty()) {
      targets.put("trainer", trainers);
    }
    return targets;
  }

  @Test
  void everyDashboardAndAlertQueryReturnsDataFromTheRunningServices() {
    assertTrue(catalogSize > 50, "the catalog found the dashboards and rules: " + catalogSize);
    assertEquals(List.of(), emptyQueries, "queries that returned no series");
  }

  @Test
  void everyPromptHasExactlyOneSoftLabel() {
    Map<String, Long> perKey =
        softLabels.stream()
            .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
    for (int i = 0; i < PROMPTS; i++) {
      assertEquals(1L, perKey.getOrDefault("train-" + i, 0L), "labels of train-" + i);
    }
    assertEquals(PROMPTS + 1, softLabels.size(), "no extra or duplicate labels");
  }

  @Test
  void aJsonPromptWrittenByKcatReachesTheSoftLabels() throws Exception {
    ConsumerRecord<String, byte[]> label =
        softLabels.stream().filter(r -> r.key().equals("kcat-json-1")).findFirst().orElseThrow();
    SoftLabelEvent event = SoftLabelEvent.parseFrom(label.value());
    assertEquals("kcat-json-1", event.getPromptId());
    assertEquals(3, event.getLabel());
    assertEquals(1, event.getPositions());
    assertTrue(!event.getDistributions().isEmpty(), "a distribution");
    assertEquals("kcat", event.getDataset());
  }

  @Test
  void aMalformedPromptGoesToTheDeadLetterTopicWithItsReason() {
    assertEquals(1, deadLetters.size());
    ConsumerRecord<String, byte[]> dead = deadLetters.get(0);
    assertEquals("kcat-bad-1", dead.key());
    assertTrue(dead.headers().lastHeader("distillery.dlq.reason") != null, "reason header");
  }

  @Test
  void checkpointManifestsCoverEveryLabelOncePerPass() {
    for (Map.Entry<String, List<CheckpointEvent>> job : checkpoints.entrySet()) {
      Map<Integer, Map<Long, Integer>> seen = new HashMap<>();
      for (CheckpointEvent checkpoint : job.getValue()) {
        for (OffsetRange range : checkpoint.getConsumedList()) {
          for (long offset = range.getFromOffset(); offset <= range.getToOffset(); offset++) {
            seen.computeIfAbsent(range.getPartition(), p -> new HashMap<>())
                .merge(offset, 1, Integer::sum);
          }
        }
      }
      Map<Integer, Long> perPartition =
          softLabels.stream()
              .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting()));
      for (Map.Entry<Integer, Long> partition : perPartition.entrySet()) {
        Map<Long, Integer> counts = seen.getOrDefault(partition.getKey(), Map.of());
        for (long offset = 0; offset < partition.getValue(); offset++) {
          assertEquals(
              PASSES,
              counts.getOrDefault(offset, 0),
              job.getKey()
                  + ": times offset "
                  + offset
                  + " of partition "
                  + partition.getKey()
                  + " was trained on");
        }
        assertEquals(
            partition.getValue(), counts.size(), job.getKey() + ": no offset beyond the log");
      }
      assertTrue(job.getValue().get(job.getValue().size() - 1).getFinal(), "last is final");
    }
  }

  @Test
  void bothJobsAreEvaluatedAtEveryCheckpoint() {
    for (String job : List.of(HARD, KD)) {
      assertEquals(
          checkpoints.get(job).stream().map(CheckpointEvent::getStep).toList(),
          evaluations.get(job).stream().map(EvaluationEvent::getStep).toList(),
          job);
      assertTrue(evaluations.get(job).size() >= PASSES, job + " has a checkpoint per pass");
    }
  }

  @Test
  void theDistilledStudentAgreesWithTheTeacherMoreThanTheHardLabelOne() {
    double hard = last(HARD).getMetrics().getAgreement();
    double kd = last(KD).getMetrics().getAgreement();
    assertTrue(kd > hard, "agreement kd " + kd + " vs hard " + hard);
    assertEquals(
        kd,
        report.jobs().stream()
            .filter(j -> j.jobId().equals(KD))
            .findFirst()
            .orElseThrow()
            .last()
            .agreement());
  }

  @Test
  void theReportIsWrittenWithTableAndCharts() throws IOException {
    DemoReport written = DemoReport.read(settings.runDir().resolve("report.json"));
    assertEquals(3, written.rows().size(), "teacher, hard, kd");
    assertEquals(report.table(), written.table());
    String html = Files.readString(settings.runDir().resolve("report.html"));
    assertTrue(html.contains("<svg") && html.contains(KD) && html.contains(HARD));
    assertTrue(!html.contains("http://") && !html.contains("https://"), "nothing to fetch");
    assertTrue(report.table().contains("MLP 784-256-256-10, distilled (soft-label log)"));
    for (DemoReport.Row row : report.rows()) {
      assertEquals(0, row.droppedUpdates(), row.model() + ": no update dropped");
    }
    assertTrue(report.gaps().containsKey("mlp"), "the gap recovered is reported per family");
  }

  @Test
  void noProcessTheDemoStartedIsLeftAlive() throws InterruptedException {
    assertTrue(
        processes.size() >= 6,
        "broker, teacher, labeler, evaluator, 2 trainers: " + processes.size());
    for (ProcessHandle process : processes) {
      assertTrue(
          !process.isAlive(), "still alive: " + process.pid() + " " + process.info().commandLine());
    }
    List<ProcessHandle> children =
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    assertEquals(
        List.of(), children.stream().map(p -> p.info().commandLine().orElse("?")).toList());
  }

  private static EvaluationEvent last(String job) {
    List<EvaluationEvent> all = evaluations.get(job);
    return all.get(all.size() - 1);
  }

  /** A prompt in protobuf's JSON mapping, as an upstream team would write it by hand. */
  static String jsonPrompt(String id) {
    String values =
        IntStream.range(0, 784)
            .mapToObj(i -> i % 7 == 0 ? "0.5" : "0")
            .collect(Collectors.joining(","));
    return "{\"id\":\""
        + id
        + "\",\"dataset\":\"kcat\",\"label\":3,"
        + "\"input\":{\"tensor\":{\"shape\":[1,28,28],\"values\":["
        + values
        + "]}}}";
  }

  static void kcat(String bootstrap, String key, String value) throws Exception {
    Process kcat =
        new ProcessBuilder("kcat", "-P", "-b", bootstrap, "-t", DistilleryTopics.PROMPTS, "-k", key)
            .redirectErrorStream(true)
            .start();
    kcat.getOutputStream().write((value + "\n").getBytes(StandardCharsets.UTF_8));
    kcat.getOutputStream().close();
    assertTrue(kcat.waitFor(30, TimeUnit.SECONDS), "kcat finished");
    String output = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, kcat.exitValue(), "kcat: " + output);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }
}
