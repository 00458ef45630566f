package io.distillery.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.cli.data.DataOptions;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.OffsetRange;
import io.distillery.proto.v1.SoftLabelEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The language-model track, reduced, through the real processes: a tiny teacher trained here by the
 * track itself (a few hundred steps on the Austen novels), broker, teacher-service, labeler (text
 * windows continued by the teacher), evaluator and trainers each in its own JVM; one seed of hard,
 * kd and seqkd over the same soft-label log.
 */
class LmDemoPipelineIT {

  static final int PASSES = 2;
  static final String HARD = "lm-hard-s1";
  static final String KD = "lm-kd-s1";
  static final String SEQKD = "lm-seqkd-s1";
  static final List<String> JOBS = List.of(HARD, KD, SEQKD);

  static final Path ROOT = DemoPipelineIT.ROOT;

  static LmDemoReport report;
  static LmDemoSettings settings;
  static List<ProcessHandle> processes = new ArrayList<>();
  static Map<String, List<CheckpointEvent>> checkpoints = new HashMap<>();
  static Map<String, List<EvaluationEvent>> evaluations = new HashMap<>();
  static List<ConsumerRecord<String, byte[]>> softLabels;

  @BeforeAll
  static void runReducedTrack() throws Exception {
    Path runDir = ROOT.resolve("cli/target/it-lm-demo");
    DemoPipelineIT.deleteRecursively(runDir);
    // A tiny decoder: 1 block of width 32, context 48, a 300-token BPE, 300 steps.
    CausalLmTeacherConfig teacher =
        LmChosenSettings.teacher()
            .withNetwork(300, 48, 1, 32, 2, 128)
            .withSchedule(16, 5e-3f, 5e-4f, 20)
            .withBudget(300, 0);
    DemoSettings.Training chosen = LmChosenSettings.training(PASSES);
    StudentPlan student =
        new StudentPlan(
            "lm",
            "transformer 1×16 h2",
            Map.of(
                "distillery.trainer.student.family", "transformer",
                "distillery.trainer.student.layers", "1",
                "distillery.trainer.student.width", "16",
                "distillery.trainer.student.heads", "2"),
            PASSES);
    settings =
        new LmDemoSettings(
            ROOT,
            runDir,
            ROOT.resolve("cli/target/it-cache"),
            Optional.empty(),
            teacher,
            30_000,
            4_000,
            8,
            8,
            List.of(1),
            3,
            new DemoSettings.Training(
                List.of(student),
                8,
                chosen.learningRate(),
                chosen.temperature(),
                chosen.alpha(),
                0,
                Map.of(
                    "distillery.trainer.lr-schedule", "constant",
                    "distillery.trainer.shuffle-buffer", "64")),
            3_000,
            2);
    DemoHooks hooks =
        new DemoHooks() {
          @Override
          public void trainingFinished(DemoStack stack, PipelineEvents events) throws Exception {
            processes.addAll(stack.everyProcess());
            for (String job : JOBS) {
              checkpoints.put(job, events.checkpoints(job));
              evaluations.put(job, events.evaluations(job));
            }
            softLabels =
                TopicReader.read(
                    stack.bootstrapServers(),
                    DistilleryTopics.SOFT_LABELS,
                    1,
                    Duration.ofSeconds(30));
          }
        };
    report =
        new LmDemoPipeline(settings, DataOptions.in(settings.cacheDir()), hooks, System.out).run();
  }

  @Test
  void tokenLevelKdEndsCloserToTheTeacherThanHardLabels() {
    double hard = last(HARD).getMetrics().getKlTeacherStudent();
    double kd = last(KD).getMetrics().getKlTeacherStudent();
    assertTrue(kd < hard, "KL(teacher‖student) kd " + kd + " vs hard " + hard);
  }

  @Test
  void everyJobIsEvaluatedAtEveryCheckpointWithLanguageModelMetrics() {
    for (String job : JOBS) {
      assertEquals(
          checkpoints.get(job).stream().map(CheckpointEvent::getStep).toList(),
          evaluations.get(job).stream().map(EvaluationEvent::getStep).toList(),
          job);
      assertTrue(evaluations.get(job).size() >= PASSES, job + " has a checkpoint per pass");
      for (EvaluationEvent evaluation : evaluations.get(job)) {
        assertEquals(EvaluationStatus.EVALUATION_OK, evaluation.getStatus(), job);
        assertTrue(evaluation.getMetrics().getBitsPerByte() > 0, job + " bits/byte");
        assertTrue(evaluation.getMetrics().getTokens() > 0, job + " tokens scored");
        assertEquals(
            LmDemoPipeline.CONTINUATION_PROMPTS.size(),
            evaluation.getContinuationsCount(),
            job + " continuations");
      }
    }
  }

  @Test
  void everyWindowWasContinuedByTheTeacher() throws Exception {
    assertTrue(softLabels.size() > 20, "windows: " + softLabels.size());
    for (ConsumerRecord<String, byte[]> record : softLabels) {
      SoftLabelEvent label = SoftLabelEvent.parseFrom(record.value());
      assertTrue(label.getGeneratedIdsCount() > 0, record.key() + " has a continuation");
      assertEquals(
          label.getInput().getTokens().getIdsCount() + label.getGeneratedIdsCount(),
          label.getPositions(),
          record.key());
    }
    assertEquals(softLabels.size(), report.log().labels());
  }

  @Test
  void checkpointManifestsCoverEveryLabelOncePerPass() {
    Map<Integer, Long> perPartition =
        softLabels.stream()
            .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting()));
    for (String job : JOBS) {
      Map<Integer, Map<Long, Integer>> seen = new HashMap<>();
      for (CheckpointEvent checkpoint : checkpoints.get(job)) {
        for (OffsetRange range : checkpoint.getConsumedList()) {
          for (long offset = range.getFromOffset(); offset <= range.getToOffset(); offset++) {
            seen.computeIfAbsent(range.getPartition(), p -> new HashMap<>())
                .merge(offset, 1, Integer::sum);
          }
        }
      }
      for (Map.Entry<Integer, Long> partition : perPartition.entrySet()) {
        Map<Long, Integer> counts = seen.getOrDefault(partition.getKey(), Map.of());
        for (long offset = 0; offset < partition.getValue(); offset++) {
          assertEquals(
              PASSES,
              counts.getOrDefault(offset, 0),
              job + ": times offset " + offset + " of partition " + partition.getKey());
        }
        assertEquals(partition.getValue(), counts.size(), job + ": no offset beyond the log");
      }
      List<CheckpointEvent> all = checkpoints.get(job);
      assertTrue(all.get(all.size() - 1).getFinal(), job + ": last is final");
    }
  }

  @Test
  void theReportHoldsTheTableTheCurvesAndTheContinuations() throws IOException {
    LmDemoReport written = LmDemoReport.read(settings.runDir().resolve("report.json"));
    assertEquals(4, written.rows().size(), "teacher, hard, kd, seqkd");
    assertEquals(report.table(), written.table());
    assertTrue(
        report.table().contains("| model | params | held-out bits/byte | perplexity |"),
        report.table());
    assertEquals(LmDemoPipeline.CONTINUATION_PROMPTS.size(), report.teacherContinuations().size());
    assertTrue(report.teacher().bitsPerByte() > 0, "the teacher's own bits/byte");
    assertTrue(report.paired().containsKey("kd KL / hard KL"), report.paired().toString());
    String html = Files.readString(settings.runDir().resolve("report.html"));
    for (String job : JOBS) {
      assertTrue(html.contains(job), job + " in the report");
    }
    assertTrue(html.contains("<svg") && html.contains("Greedy continuations"));
    assertFalse(html.contains("http://") || html.contains("https://"), "nothing to fetch");
    for (LmDemoReport.JobResult job : report.jobs()) {
      assertEquals(0, job.droppedUpdates(), job.jobId() + ": no update dropped");
    }
  }

  @Test
  void noProcessTheTrackStartedIsLeftAlive() {
    assertTrue(processes.size() >= 7, "broker, 3 services, 3 trainers: " + processes.size());
    for (ProcessHandle process : processes) {
      assertFalse(process.isAlive(), "still alive: " + process.pid());
    }
  }

  private static EvaluationEvent last(String job) {
    List<EvaluationEvent> all = evaluations.get(job);
    return all.get(all.size() - 1);
  }
}
