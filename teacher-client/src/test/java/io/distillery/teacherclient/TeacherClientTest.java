package io.distillery.teacherclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.teacherclient.outcome.CallAbandonedException;
import io.distillery.teacherclient.outcome.Outcome;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.distillery.teacherclient.outcome.TeacherDeniedException;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.distillery.teacherclient.retry.CircuitBreakerPolicy;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against the fake teacher over a real socket: splitting and reassembly, the outcome of
 * each failure, which failures are retried, deadlines, giving up and the call records. Plain JUnit
 * with SmallRye Fault Tolerance's standalone implementation: the client needs no container.
 */
class TeacherClientTest {

  private static final Duration QUICK = Duration.ofMillis(20);
  private static FakeTeacher teacher;
  private static ManagedChannel channel;
  private final List<CallRecord> calls = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startTeacher() throws Exception {
    teacher = FakeTeacher.start();
    channel = ManagedChannelBuilder.forTarget(teacher.address()).usePlaintext().build();
  }

  @AfterAll
  static void stopTeacher() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    teacher.close();
  }

  @BeforeEach
  void healthyTeacher() {
    teacher
        .reset()
        .card(FakeTeacher.defaultCard())
        .answers(TeacherClientTest::firstPixelAsId)
        .rejectSamples(sample -> false, "");
  }

  private TeacherClient client(RetryPolicy label) {
    return new TeacherClient(
        MutinyTeacherGrpc.newMutinyStub(channel),
        new ClientSettings("test-", Duration.ofSeconds(2), Duration.ofMillis(500), label, label),
        calls::add);
  }

  private TeacherClient client() {
    return client(RetryPolicy.retries(2, QUICK, Duration.ofMillis(40)));
  }

  /** Answers each sample with its first pixel as the class id, so order is visible. */
  private static List<SampleLabels> firstPixelAsId(LabelRequest request) {
    List<SampleLabels> out = new ArrayList<>();
    for (ModelInput sample : request.getSamplesList()) {
      int id = (int) sample.getTensor().getValues(0);
      out.add(
          SampleLabels.newBuilder()
              .addPositions(SparseDistribution.newBuilder().addIds(id).addLogProbs(0f))
              .build());
    }
    return out;
  }

  private static List<ModelInput> images(int count) {
    float[] pixels = new float[count * 784];
    for (int i = 0; i < count; i++) {
      pixels[i * 784] = i;
    }
    return Inputs.tensors(pixels, 0, count, new long[] {1, 28, 28});
  }

  private static Throwable failure(CompletableFuture<?> call) {
    return Retrying.unwrap(assertThrows(Exception.class, () -> call.get(10, TimeUnit.SECONDS)));
  }

  @Test
  void aCallLargerThanTheTeachersLimitIsSplitAndReassembledInOrder() throws Exception {
    TeacherDescription card = client().describe().get(10, TimeUnit.SECONDS);

    LabelAnswer answer =
        client().label(LabelCall.of(images(20), 1, 1f, card)).get(10, TimeUnit.SECONDS);

    assertEquals(8, card.maxBatchSize());
    assertEquals(List.of(4, 8, 8), teacher.batchSizes().stream().sorted().toList());
    assertEquals(20, answer.samples().size());
    for (int i = 0; i < 20; i++) {
      assertEquals(i, answer.samples().get(i).positions().get(0).getIds(0), "sample " + i);
    }
    assertEquals(FakeTeacher.SHA256, answer.artifactSha256());
    assertEquals(
        List.of(Outcome.OK, Outcome.OK, Outcome.OK),
        calls.stream()
            .filter(c -> c.rpc().equals(CallRecord.LABEL))
            .map(CallRecord::outcome)
            .toList());
  }

  @Test
  void anOutageIsRetriedWithBackoffAndRecordedPerAttempt() throws Exception {
    teacher.failNext(2, Status.UNAVAILABLE);

    LabelAnswer answer =
        client().label(new LabelCall(images(3), 1, 1f, 0)).get(10, TimeUnit.SECONDS);

    assertEquals(3, answer.samples().size());
    assertEquals(3, teacher.labelCalls());
    assertEquals(
        List.of("unavailable", "unavailable", "ok"),
        calls.stream().map(CallRecord::reason).toList());
    assertTrue(calls.stream().allMatch(c -> c.samples() == 3));
  }

  private static LabelCall encoded(LabelCall call) {
    return call.withEncodedSamples(call.samples().stream().map(ModelInput::toByteString).toList());
  }

  @Test
  void preEncodedSamplesAreSentAsTheyAreSplitAndReassembledInOrder() throws Exception {
    TeacherDescription card = client().describe().get(10, TimeUnit.SECONDS);

    LabelAnswer answer =
        client().label(encoded(LabelCall.of(images(20), 1, 1f, card))).get(10, TimeUnit.SECONDS);

    assertEquals(List.of(4, 8, 8), teacher.batchSizes().stream().sorted().toList());
    for (int i = 0; i < 20; i++) {
      assertEquals(i, answer.samples().get(i).positions().get(0).getIds(0), "sample " + i);
    }
    assertEquals(FakeTeacher.SHA256, answer.artifactSha256());
  }

  @Test
  void preEncodedSamplesKeepRejectionsRetriesAndDeadlines() {
    teacher.rejectSamples(s -> s.getTensor().getValues(0) == 1f, "tensor.values[0] is poison");
    Throwable rejected = failure(client().label(encoded(new LabelCall(images(2), 1, 1f, 0))));
    assertInstanceOf(TeacherRejectedException.class, rejected);
    assertTrue(
        rejected.getMessage().contains("samples[1].tensor.values[0]"), rejected.getMessage());
    assertEquals(1, teacher.labelCalls());

    healthyTeacher();
    teacher.answers(request -> firstPixelAsId(request).subList(0, 1));
    Throwable malformed = failure(client().label(encoded(new LabelCall(images(2), 1, 1f, 0))));
    assertTrue(malformed.getMessage().contains("answered 1 samples"), malformed.getMessage());
    assertEquals(3, teacher.labelCalls(), "first attempt and two retries");

    healthyTeacher();
    teacher.latency(Duration.ofSeconds(2));
    Throwable late = failure(client().label(encoded(new LabelCall(images(1), 1, 1f, 0))));
    assertEquals(
        "deadline-exceeded", assertInstanceOf(TeacherUnavailableException.class, late).reason());
  }

  @Test
  void encodedSamplesMustMatchTheSamples() {
    LabelCall call = new LabelCall(images(2), 1, 1f, 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> call.withEncodedSamples(List.of(call.samples().get(0).toByteString())));
  }

  @Test
  void overloadIsRetriedAndReportedAsOverloaded() throws Exception {
    teacher.failNext(1, Status.RESOURCE_EXHAUSTED);

    client().label(new LabelCall(images(1), 1, 1f, 0)).get(10, TimeUnit.SECONDS);

    assertEquals(Outcome.OVERLOADED, calls.get(0).outcome());
    assertEquals("resource-exhausted", calls.get(0).reason());
    assertEquals(2, teacher.labelCalls());
  }

  @Test
  void anOverloadedTeachersRetryAfterIsWaitedBeforeTheNextAttempt() throws Exception {
    Metadata trailers = new Metadata();
    trailers.put(TeacherCallException.RETRY_AFTER_MS, "600");
    teacher.failNext(1, Status.RESOURCE_EXHAUSTED, trailers);

    long start = System.nanoTime();
    client().label(new LabelCall(images(1), 1, 1f, 0)).get(10, TimeUnit.SECONDS);
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;

    // The policy alone would wait 20 ms (max 40 ms, jitter 5 ms) before its retry.
    assertTrue(waitedMillis >= 590, "retried after " + waitedMillis + " ms, asked 600 ms");
    assertEquals(2, teacher.labelCalls());
    assertEquals(Outcome.OVERLOADED, calls.get(0).outcome());
  }

  @Test
  void aRejectedRequestIsNotRetriedAndNamesTheField() {
    teacher.rejectSamples(s -> s.getTensor().getValues(0) == 1f, "tensor.values[0] is poison");

    Throwable e = failure(client().label(new LabelCall(images(2), 1, 1f, 0)));

    TeacherRejectedException rejected = assertInstanceOf(TeacherRejectedException.class, e);
    assertEquals(1, teacher.labelCalls());
    assertEquals(Status.Code.INVALID_ARGUMENT, rejected.status().orElseThrow().getCode());
    assertTrue(rejected.getMessage().contains("samples[1].tensor.values[0]"), e.getMessage());
  }

  @Test
  void aDeniedCallerIsNotRetried() {
    teacher.failWith(Status.PERMISSION_DENIED);

    Throwable e = failure(client().describe());

    assertInstanceOf(TeacherDeniedException.class, e);
    assertEquals(1, teacher.describeCalls());
  }

  @Test
  void aMalformedAnswerIsAnOutageRetriedThenReportedWithItsReason() {
    teacher.answers(request -> firstPixelAsId(request).subList(0, 1));

    Throwable e = failure(client().label(new LabelCall(images(2), 1, 1f, 0)));

    TeacherUnavailableException unavailable =
        assertInstanceOf(TeacherUnavailableException.class, e);
    assertEquals(TeacherCallException.MALFORMED_ANSWER, unavailable.reason());
    assertTrue(e.getMessage().contains("answered 1 samples"), e.getMessage());
    assertEquals(3, teacher.labelCalls(), "first attempt and two retries");
  }

  @Test
  void aSecondPositionForAnImageIsMalformed() {
    teacher.answers(
        request -> {
          List<SampleLabels> out = new ArrayList<>();
          for (SampleLabels one : firstPixelAsId(request)) {
            out.add(one.toBuilder().addPositions(one.getPositions(0)).build());
          }
          return out;
        });

    Throwable e = failure(client().label(new LabelCall(images(1), 1, 1f, 0)));

    assertTrue(e.getMessage().contains("2 positions for samples[0]"), e.getMessage());
  }

  @Test
  void everyAttemptHasADeadline() {
    teacher.latency(Duration.ofSeconds(2));

    Throwable e = failure(client().label(new LabelCall(images(1), 1, 1f, 0)));

    TeacherUnavailableException late = assertInstanceOf(TeacherUnavailableException.class, e);
    assertEquals("deadline-exceeded", late.reason());
  }

  @Test
  void untilGivenUpWaitsOutAnOutageAndEndsWhenTheCallerGivesUp() throws Exception {
    teacher.failWith(Status.UNAVAILABLE);
    TeacherClient patient = client(RetryPolicy.untilGivenUp(QUICK, Duration.ofMillis(40)));
    AtomicBoolean stopped = new AtomicBoolean();

    CompletableFuture<LabelAnswer> waiting =
        patient.label(new LabelCall(images(1), 1, 1f, 0), stopped::get);
    while (teacher.labelCalls() < 6) {
      Thread.sleep(10);
    }
    teacher.failWith(null);
    assertEquals(1, waiting.get(10, TimeUnit.SECONDS).samples().size());

    teacher.failWith(Status.UNAVAILABLE);
    CompletableFuture<LabelAnswer> abandoned =
        patient.label(new LabelCall(images(1), 1, 1f, 0), stopped::get);
    Thread.sleep(100);
    stopped.set(true);
    assertInstanceOf(CallAbandonedException.class, failure(abandoned));
  }

  @Test
  void anOpenCircuitFailsFastAsUnavailable() throws Exception {
    teacher.failWith(Status.UNAVAILABLE);
    TeacherClient guarded =
        client(
            RetryPolicy.retries(0, QUICK, QUICK)
                .withCircuitBreaker(new CircuitBreakerPolicy(2, 1.0, Duration.ofSeconds(30))));
    failure(guarded.label(new LabelCall(images(1), 1, 1f, 0)));
    failure(guarded.label(new LabelCall(images(1), 1, 1f, 0)));
    int reached = teacher.labelCalls();

    Throwable e = failure(guarded.label(new LabelCall(images(1), 1, 1f, 0)));

    TeacherUnavailableException open = assertInstanceOf(TeacherUnavailableException.class, e);
    assertEquals(TeacherCallException.CIRCUIT_OPEN, open.reason());
    assertEquals(reached, teacher.labelCalls(), "the open circuit does not reach the teacher");
  }
}
