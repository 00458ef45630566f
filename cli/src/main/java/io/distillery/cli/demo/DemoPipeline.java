package io.distillery.cli.demo;

import io.distillery.cli.data.DataOptions;
import io.distillery.cli.produce.PromptProducer;
import io.distillery.cli.progress.Progress;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.LabeledImages;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The demo, phase by phase: data, build, teacher, services, prompts, labelling, training, report.
 * Every process it starts is stopped when it returns or fails.
 */
public final class DemoPipeline {

  /** Labelling or a job that makes no progress for this long has failed. */
  static final Duration STALL_TIMEOUT = Duration.ofMinutes(3);

  private final DemoSettings settings;
  private final DataOptions data;
  private final DemoHooks hooks;
  private final PrintStream out;
  private final PhaseClock clock = new PhaseClock();
  private final Map<String, Long> droppedUpdates = new java.util.concurrent.ConcurrentHashMap<>();

  public DemoPipeline(DemoSettings settings, DataOptions data, DemoHooks hooks, PrintStream out) {
    this.settings = settings;
    this.data = data;
    this.hooks = hooks;
    this.out = out;
  }

  /** Runs the demo and returns its report (also written as report.json and report.html). */
  public DemoReport run() throws Exception {
    Files.createDirectories(settings.runDir());
    out.println("Distillery demo: run directory " + settings.runDir());
    ServiceJars jars = ServiceJars.in(settings.root());
    clock.time(
        "build",
        () -> {
          jars.buildIfMissing(settings.runDir().resolve("logs/build.log"), out);
          return null;
        });
    Path dataDir = clock.time("data", () -> data.locate(out));
    CachedTeacher teacher =
        clock.time("teacher", () -> CachedTeacher.prepare(settings, dataDir, out));
    try (DemoStack stack =
            clock.time(
                "start services",
                () -> {
                  out.println(
                      "Starting Kafka, teacher, labeler and evaluator (logs in "
                          + settings.runDir().resolve("logs")
                          + ")...");
                  return DemoStack.start(
                      jars, settings.runDir(), settings.partitions(), teacher.dir(), dataDir);
                });
        StopOnInterrupt stop = StopOnInterrupt.register(stack);
        PipelineEvents events = PipelineEvents.follow(stack.bootstrapServers())) {
      int extra = hooks.servicesStarted(stack);
      long produced = clock.time("produce prompts", () -> producePrompts(stack, dataDir));
      long labels = clock.time("labelling", () -> awaitLabels(stack, produced + extra));
      List<DemoJob> jobs = jobs();
      clock.time(
          "training",
          () -> {
            train(stack, events, jobs, labels);
            return null;
          });
      hooks.trainingFinished(stack, events);
      DemoReport report =
          clock
              .time(
                  "report",
                  () -> DemoReport.build(settings, teacher, jobs, events, labels, droppedUpdates))
              .withPhases(clock.phases());
      report.write(settings.runDir());
      out.println();
      out.println(report.table());
      out.println(report.phaseTimes());
      out.println("Report: " + settings.runDir().resolve("report.html") + " and report.json");
      return report;
    }
  }

  /** The transfer set: every view of the first {@code prompts} training images. */
  private long producePrompts(DemoStack stack, Path dataDir) throws Exception {
    LabeledImages images = FashionMnist.train(dataDir).head(settings.prompts());
    long views = settings.transferSet().size(images.size());
    try (Progress progress = Progress.start("prompts", views, "prompts", out);
        PromptProducer producer = new PromptProducer(stack.bootstrapServers())) {
      return producer.produceViews(
          DistilleryTopics.PROMPTS,
          images,
          0,
          images.size(),
          settings.transferSet(),
          "fashion-mnist/train",
          "train-",
          progress::stepTo);
    }
  }

  /** Waits until every prompt came out as a soft label or a dead letter; returns the labels. */
  private long awaitLabels(DemoStack stack, long expected) throws Exception {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Progress progress = Progress.start("labelling", expected, "prompts", out)) {
      long lastChange = System.nanoTime();
      long done = -1;
      while (true) {
        long labels = recordCount(consumer, DistilleryTopics.SOFT_LABELS);
        long deadLetters = recordCount(consumer, DistilleryTopics.PROMPTS_DLQ);
        if (labels + deadLetters != done) {
          done = labels + deadLetters;
          lastChange = System.nanoTime();
          progress.stepTo(Math.min(done, expected));
          progress.setExtraMessage(deadLetters > 0 ? deadLetters + " dead-lettered" : "");
        }
        if (done >= expected) {
          return labels;
        }
        if (!stack.labeler().isAlive()) {
          throw new IllegalStateException("labeler-service stopped; see " + stack.labeler().log());
        }
        if (System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
          throw new IllegalStateException(
              "labelling made no progress for "
                  + STALL_TIMEOUT.toMinutes()
                  + " min at "
                  + done
                  + "/"
                  + expected
                  + "; see "
                  + stack.labeler().log()
                  + " and "
                  + stack.teacher().log());
        }
        Thread.sleep(500);
      }
    }
  }

  static long recordCount(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(10));
    return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
  }

  private List<DemoJob> jobs() {
    List<DemoJob> jobs = new ArrayList<>();
    for (StudentPlan student : settings.training().students()) {
      for (int seed : settings.seeds()) {
        jobs.add(new DemoJob(student, JobKind.HARD, seed));
        jobs.add(new DemoJob(student, JobKind.KD, seed));
        if (settings.online()) {
          jobs.add(new DemoJob(student, JobKind.KD_ONLINE, seed));
        }
      }
    }
    return jobs;
  }

  /** Runs the jobs, {@code parallelJobs} trainer processes at a time. */
  private void train(DemoStack stack, PipelineEvents events, List<DemoJob> jobs, long labels)
      throws Exception {
    int batchSize = settings.training().batchSize();
    out.printf(
        "Training %d jobs on %,d soft labels per pass, %d side by side: %s...%n",
        jobs.size(),
        labels,
        settings.parallelJobs(),
        settings.training().students().stream()
            .map(
                s ->
                    String.format(
                        "%s %d passes (%,d steps per job)",
                        s.name(), s.passes(), s.steps(labels, batchSize)))
            .collect(Collectors.joining(", ")));
    Path checkpoints = settings.runDir().resolve("checkpoints");
    droppedUpdates.putAll(
        new JobRunner(
                stack,
                events,
                job -> job.trainerProperties(settings.training(), checkpoints),
                job -> job.student().steps(labels, batchSize),
                e -> String.format(java.util.Locale.ROOT, "acc %.3f", e.getMetrics().getAccuracy()),
                out)
            .run(jobs, settings.parallelJobs()));
  }
}
