package io.distillery.labeler.labeling;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.config.LabelerConfig.ExpectedTask;
import io.distillery.labeler.deadletter.DeadLetter;
import io.distillery.labeler.deadletter.DeadLetterReason;
import io.distillery.labeler.gate.ConsumptionControl;
import io.distillery.labeler.gate.GatePolicy;
import io.distillery.labeler.gate.GateState;
import io.distillery.labeler.gate.TeacherGate;
import io.distillery.labeler.metrics.LabelerMetrics;
import io.distillery.labeler.prompt.IncomingPrompt;
import io.distillery.labeler.support.Cards;
import io.distillery.labeler.support.FakeTeacherModel;
import io.distillery.labeler.support.Prompts;
import io.distillery.labeler.teacher.TeacherLabeler;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.kafka.PromptEventDeserializer;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.teacherclient.LabelAnswer;
import io.distillery.teacherclient.SampleLabel;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Batching, acknowledgement, rejection and outage handling of the labeling service. Plain JUnit:
 * the service talks to the teacher and to Kafka only through small interfaces, so fakes that hold
 * or fail answers on demand show the timing that the Quarkus tests can only observe from outside.
 */
class LabelingServiceTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LabelerMetrics metrics = new LabelerMetrics(registry);
  private final List<SoftLabelEvent> labels = new CopyOnWriteArrayList<>();
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> labelAcks = new CopyOnWriteArrayList<>();
  private final List<List<ModelInput>> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger paused = new AtomicInteger();
  private volatile boolean holdLabelAcks;
  private volatile Function<List<ModelInput>, Uni<LabelAnswer>> teacherBehaviour = this::answer;
  private TeacherGate gate;

  private LabelingService service(int maxInFlight) {
    gate =
        new TeacherGate(
            () -> Uni.createFrom().item(Cards.allowedFashion()),
            new GatePolicy(ExpectedTask.CLASSIFICATION, List.of(1L, 28L, 28L), 0, 1f, 256, false),
            Duration.ofMillis(10),
            Duration.ofMillis(10),
            new ConsumptionControl() {
              @Override
              public void resume() {}

              @Override
              public void pause() {
                paused.incrementAndGet();
              }
            },
            metrics);
    gate.start();
    TeacherLabeler teacher =
        (samples, topK, temperature) -> {
          requests.add(samples);
          return teacherBehaviour.apply(samples);
        };
    LabelSink sink =
        (key, event) -> {
          CompletableFuture<Void> ack = new CompletableFuture<>();
          labelAcks.add(ack);
          if (!holdLabelAcks) {
            ack.complete(null);
          }
          return Uni.createFrom().completionStage(ack).invoke(() -> labels.add(event));
        };
    return new LabelingService(
        gate,
        teacher,
        sink,
        letter -> Uni.createFrom().voidItem().invoke(() -> deadLetters.add(letter)),
        metrics,
        new LabelingOptions(
            "unnamed",
            65_536,
            maxInFlight,
            Duration.ofMillis(10),
            Duration.ofMillis(40),
            SparseCodec.Format.QUANTIZED),
        Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));
  }

  @Test
  void aBatchCompletesOnlyWhenEveryLabelIsAcknowledged() {
    holdLabelAcks = true;
    Submission submission = service(4).submit(prompts("ack", 3));

    await().atMost(Duration.ofSeconds(5)).until(() -> labelAcks.size() == 3);
    assertTrue(submission.accepted().toCompletableFuture().isDone());
    labelAcks.get(0).complete(null);
    labelAcks.get(1).complete(null);
    assertFalse(
        submission.completed().toCompletableFuture().isDone(),
        "two of three acknowledged: the offsets must not be committed yet");

    labelAcks.get(2).complete(null);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> submission.completed().toCompletableFuture().isDone());
    assertEquals(3, labels.size());
    assertEquals(1_700_000_000_000L, labels.get(0).getLabelledAtMs());
  }

  @Test
  void pollBatchesAreCutAtTheTeachersLimitAndWorkInFlightIsBounded() {
    List<CompletableFuture<LabelAnswer>> answers = new CopyOnWriteArrayList<>();
    teacherBehaviour =
        samples -> {
          CompletableFuture<LabelAnswer> answer = new CompletableFuture<>();
          answers.add(answer);
          return Uni.createFrom().completionStage(answer);
        };
    Submission submission = service(2).submit(prompts("cut", 20));

    await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 2);
    assertEquals(List.of(8, 8), requests.stream().map(List::size).toList());
    assertFalse(
        submission.accepted().toCompletableFuture().isDone(),
        "the third request waits for a permit, so the channel gets no new demand");

    answers.get(0).complete(answerFor(requests.get(0)));
    await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 3);
    assertEquals(4, requests.get(2).size());
    assertTrue(submission.accepted().toCompletableFuture().isDone());
    answers.get(1).complete(answerFor(requests.get(1)));
    answers.get(2).complete(answerFor(requests.get(2)));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> submission.completed().toCompletableFuture().isDone());
    assertEquals(20, labels.size());
  }

  @Test
  void aRejectedBatchIsRetriedPromptByPromptAndOnlyTheRejectedOneIsDeadLettered() {
    teacherBehaviour =
        samples ->
            samples.stream().anyMatch(s -> s.getTensor().getValues(0) == 99f)
                ? Uni.createFrom()
                    .failure(
                        TeacherCallException.from(
                            "Label",
                            Status.INVALID_ARGUMENT
                                .withDescription("samples[1].tensor.values[0]")
                                .asRuntimeException()))
                : answer(samples);
    List<IncomingPrompt> prompts = prompts("reject", 3);
    float[] poisoned = Prompts.pixels(1);
    poisoned[0] = 99f;
    PromptEvent bad =
        PromptEvent.newBuilder()
            .setId("reject-bad")
            .setInput(ModelInput.newBuilder().setTensor(Prompts.tensor(poisoned)))
            .build();
    prompts.set(1, incoming(bad.getId(), bad.toByteArray(), 1));

    Submission submission = service(4).submit(prompts);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> submission.completed().toCompletableFuture().isDone());
    assertEquals(
        List.of("reject-0", "reject-2"),
        labels.stream().map(SoftLabelEvent::getPromptId).sorted().toList());
    assertEquals(1, deadLetters.size());
    DeadLetter letter = deadLetters.get(0);
    assertEquals(DeadLetterReason.TEACHER_REJECTED, letter.reason());
    assertEquals("io.grpc.StatusRuntimeException", letter.exceptionClass());
    assertEquals("reject-bad", letter.key());
  }

  @Test
  void anOutageHoldsThePromptsWithoutDeadLetteringAndLabelsThemWhenTheTeacherIsBack()
      throws Exception {
    teacherBehaviour =
        samples ->
            Uni.createFrom()
                .failure(
                    TeacherCallException.from("Label", Status.UNAVAILABLE.asRuntimeException()));
    Submission submission = service(4).submit(prompts("outage", 5));

    await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() >= 5);
    assertTrue(registry.counter("distillery_labeler_teacher_backoffs").count() >= 4);
    assertFalse(submission.completed().toCompletableFuture().isDone(), "held, not committed");
    assertTrue(labels.isEmpty());
    assertTrue(deadLetters.isEmpty(), "an outage dead-letters nothing");

    teacherBehaviour = this::answer;

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> submission.completed().toCompletableFuture().isDone());
    assertEquals(5, labels.size());
  }

  @Test
  void undecodableRecordsAreDeadLetteredWithOriginalBytesKeyAndSource() {
    byte[] garbage = {0x0F, 0x00};
    List<IncomingPrompt> prompts = new ArrayList<>(prompts("mixed", 1));
    prompts.add(incoming("garbage-key", garbage, 41));

    Submission submission = service(4).submit(prompts);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> submission.completed().toCompletableFuture().isDone());
    assertEquals(1, labels.size());
    DeadLetter letter = deadLetters.get(0);
    assertEquals(DeadLetterReason.MALFORMED_PROTOBUF, letter.reason());
    assertEquals("garbage-key", letter.key());
    assertArrayEquals(garbage, letter.value());
    assertEquals(41, letter.source().getOffset());
    assertTrue(letter.exceptionClass().startsWith("com.google.protobuf."));
    assertEquals(
        1.0,
        registry.counter("distillery_labeler_dlq_records", "reason", "malformed-protobuf").count());
  }

  @Test
  void aTeacherThatChangesItsArtifactClosesTheGateAndLabelsNothing() {
    teacherBehaviour =
        samples ->
            Uni.createFrom()
                .item(
                    new LabelAnswer(answer(samples).await().indefinitely().samples(), "other-sha"));
    Submission submission = service(4).submit(prompts("changed", 2));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gate.state().phase() == GateState.Phase.BLOCKED);
    assertTrue(gate.state().reason().contains("other-sha"), gate.state().reason());
    assertEquals(1, paused.get(), "consumption is paused");
    assertTrue(labels.isEmpty(), "labels would carry the wrong teacher card");
    assertFalse(submission.completed().toCompletableFuture().isDone());
  }

  private Uni<LabelAnswer> answer(List<ModelInput> samples) {
    return Uni.createFrom().item(answerFor(samples));
  }

  private static LabelAnswer answerFor(List<ModelInput> samples) {
    List<SampleLabel> result = new ArrayList<>();
    for (ModelInput sample : samples) {
      float[] input = new float[sample.getTensor().getValuesCount()];
      for (int i = 0; i < input.length; i++) {
        input[i] = sample.getTensor().getValues(i);
      }
      result.add(new SampleLabel(List.of(FakeTeacherModel.label(input, 10, 1f))));
    }
    return new LabelAnswer(result, "abc123");
  }

  private static List<IncomingPrompt> prompts(String prefix, int count) {
    List<IncomingPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = prefix + "-" + i;
      prompts.add(incoming(id, Prompts.image(id, i).toByteArray(), i));
    }
    return prompts;
  }

  private static IncomingPrompt incoming(String key, byte[] value, long offset) {
    return new IncomingPrompt(
        key,
        new PromptEventDeserializer().deserialize("distill.prompts", value),
        SourceRecord.newBuilder().setTopic("distill.prompts").setOffset(offset).build());
  }
}
