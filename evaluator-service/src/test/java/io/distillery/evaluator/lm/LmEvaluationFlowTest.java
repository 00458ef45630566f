package io.distillery.evaluator.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.promotion.JobState;
import io.distillery.evaluator.promotion.PromotedPointer;
import io.distillery.evaluator.support.EvaluationsTopic;
import io.distillery.evaluator.support.EvaluatorTestResource;
import io.distillery.evaluator.support.TinyLm;
import io.distillery.evaluator.support.TinyLmResource;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.distillery.proto.v1.Task;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LM checkpoints end to end: transformer students written by the models' {@code CheckpointStore},
 * announced on the real {@code distill.checkpoints} topic, scored in-process against a really
 * trained tiny LM teacher on held-out Persuasion, evaluations read back from the real {@code
 * distill.evaluations} topic.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(EvaluatorTestResource.class)
@QuarkusTestResource(TinyLmResource.class)
class LmEvaluationFlowTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir static Path checkpoints;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MeterRegistry registry;

  @Test
  void anLmCheckpointIsScoredWithContinuationsAndPromotedByBitsPerByte() throws Exception {
    String job = "lm-job";
    String sha = TinyLm.tokenizerSha256();
    Checkpoint random = TinyLm.checkpoint(checkpoints, job, 10, false, sha);
    Checkpoint better = TinyLm.checkpoint(checkpoints, job, 20, true, sha);
    Checkpoint worse = TinyLm.checkpoint(checkpoints, job, 30, false, sha);
    Checkpoint otherTokenizer = TinyLm.checkpoint(checkpoints, job, 40, true, "cd".repeat(32));

    send(random.event());
    send(better.event());
    send(worse.event());
    send(otherTokenizer.event());
    List<EvaluationEvent> evaluations = EvaluationsTopic.read(bootstrapServers, job, 4, WAIT);
    assertEquals(4, evaluations.size(), evaluations.toString());

    EvaluationEvent first = evaluations.get(0);
    assertEquals(EvaluationStatus.EVALUATION_OK, first.getStatus(), first.toString());
    assertEquals(10, first.getStep());
    assertEquals(Task.TASK_CAUSAL_LM, first.getTeacher().getTask());
    assertEquals(sha, first.getTeacher().getTokenizerSha256());
    double randomBpb = first.getMetrics().getBitsPerByte();
    assertTrue(Double.isFinite(randomBpb) && randomBpb > 0, first.getMetrics().toString());
    assertTrue(first.getMetrics().getTokens() > 1000, first.getMetrics().toString());
    assertTrue(Double.isFinite(first.getMetrics().getTeacherBitsPerByte()));
    assertTrue(first.getMetrics().getKlTeacherStudent() > 0);
    assertEquals(3, first.getContinuationsCount(), "the default prompts");
    assertEquals("It is a truth universally acknowledged", first.getContinuations(0).getPrompt());
    assertTrue(first.getContinuations(0).getTokenIdsCount() >= 1);
    assertTrue(
        first.getEvalSetId().endsWith("persuasion.txt[tokens 0:20000]"), first.getEvalSetId());
    assertEquals(first.getMetrics().getTokens(), first.getEvalSetSize());
    assertTrue(first.getPromoted(), "a job's first checkpoint is promoted");

    EvaluationEvent second = evaluations.get(1);
    assertEquals(EvaluationStatus.EVALUATION_OK, second.getStatus(), second.toString());
    assertTrue(second.getMetrics().getBitsPerByte() < randomBpb, second.getMetrics().toString());
    assertTrue(second.getPromoted(), "lower bits per byte promotes");

    EvaluationEvent third = evaluations.get(2);
    assertEquals(randomBpb, third.getMetrics().getBitsPerByte(), 1e-6, "same weights as step 10");
    assertFalse(third.getPromoted(), "higher bits per byte does not promote");

    EvaluationEvent fourth = evaluations.get(3);
    assertEquals(EvaluationStatus.EVALUATION_FAILED, fourth.getStatus());
    assertTrue(
        fourth.getFailureReason().startsWith("tokenizer-mismatch: "), fourth.getFailureReason());

    // Redelivered: the recorded evaluation comes back unchanged, nothing is scored or promoted.
    send(better.event());
    List<EvaluationEvent> again = EvaluationsTopic.read(bootstrapServers, job, 5, WAIT);
    assertEquals(5, again.size());
    assertEquals(second, again.get(4));

    PromotedPointer pointer = new JobState(checkpoints.resolve(job)).promoted().orElseThrow();
    assertEquals(20, pointer.step());
    assertEquals(LanguageModelEvaluation.BITS_PER_BYTE, pointer.metric());
    assertEquals(second.getMetrics().getBitsPerByte(), pointer.value(), 0);

    // The latest OK evaluation (step 30) in the job's gauges; accuracy means nothing here.
    assertEquals(
        randomBpb,
        registry.get("distillery_evaluator_latest_bits_per_byte").tag("job", job).gauge().value(),
        1e-9);
    assertEquals(
        first.getMetrics().getTeacherBitsPerByte(),
        registry
            .get("distillery_evaluator_latest_teacher_bits_per_byte")
            .tag("job", job)
            .gauge()
            .value(),
        1e-9);
    assertTrue(
        Double.isNaN(
            registry
                .get("distillery_evaluator_latest_accuracy_ratio")
                .tag("job", job)
                .gauge()
                .value()));
  }

  private void send(CheckpointEvent event) throws Exception {
    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(DistilleryTopics.CHECKPOINTS, event.getJobId(), event.toByteArray());
    }
  }
}
