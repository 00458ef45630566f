package io.distillery.teacherclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.teacherclient.outcome.TeacherCallException;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.distillery.teacherclient.retry.RetryPolicy;
import io.distillery.teacherclient.retry.Retrying;
import io.distillery.teacherclient.testing.BigramTeacher;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client with a causal-LM teacher (the fake's bigram model over a real socket): token sequences
 * in, one distribution per token out, generation settings passed on and generated ids returned, the
 * causal-LM facts of the card, and the position count checked against the request.
 */
class CausalLmClientTest {

  private static final int VOCABULARY = 50;
  private static final int CONTEXT = 16;
  private static final int END_OF_TEXT = 0;
  private static final String TOKENIZER_SHA =
      "70c0000000000000000000000000000000000000000000000000000000000001";
  private static FakeTeacher teacher;
  private static ManagedChannel channel;
  private final BigramTeacher bigram = new BigramTeacher(VOCABULARY, END_OF_TEXT, CONTEXT);

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
  void bigramTeacher() {
    BigramTeacher.serve(teacher.reset(), VOCABULARY, CONTEXT, TOKENIZER_SHA, END_OF_TEXT);
  }

  private static TeacherClient client() {
    RetryPolicy quick = RetryPolicy.retries(1, Duration.ofMillis(20), Duration.ofMillis(40));
    return new TeacherClient(
        MutinyTeacherGrpc.newMutinyStub(channel),
        new ClientSettings("lm-", Duration.ofSeconds(2), Duration.ofSeconds(2), quick, quick),
        call -> {});
  }

  private static Throwable failure(CompletableFuture<?> call) {
    return Retrying.unwrap(assertThrows(Exception.class, () -> call.get(10, TimeUnit.SECONDS)));
  }

  @Test
  void theDescriptionExposesTheCausalLmFacts() throws Exception {
    TeacherDescription card = client().describe().get(10, TimeUnit.SECONDS);

    assertEquals(Task.TASK_CAUSAL_LM, card.task());
    assertTrue(card.causalLm());
    assertTrue(!card.takesTensors());
    assertEquals(VOCABULARY, card.vocabularySize());
    assertEquals(CONTEXT, card.contextLength());
    assertEquals(TOKENIZER_SHA, card.tokenizerSha256());
    assertEquals(END_OF_TEXT, card.endOfTextId());
  }

  @Test
  void aTokenSequenceGetsOneDistributionPerToken() throws Exception {
    int[] ids = {3, 9, 27, 4, 11};
    LabelAnswer answer =
        client()
            .label(new LabelCall(List.of(Inputs.tokens(ids)), 4, 1f, 0))
            .get(10, TimeUnit.SECONDS);

    SampleLabel label = answer.samples().get(0);
    assertEquals(ids.length, label.positions().size());
    assertEquals(List.of(), label.generatedIds());
    for (int i = 0; i < ids.length; i++) {
      SparseDistribution position = label.positions().get(i);
      assertEquals(bigram.favourite(ids[i]), position.getIds(0), "position " + i);
      assertEquals(4, position.getIdsCount());
      assertTrue(position.getTailMass() > 0f);
    }
  }

  @Test
  void generationSettingsArePassedAndGeneratedIdsComeBackWithTheirDistributions() throws Exception {
    int[] ids = {5, 6};
    GenerationSettings greedy = GenerationSettings.newBuilder().setMaxNewTokens(4).build();
    LabelAnswer answer =
        client()
            .label(new LabelCall(List.of(Inputs.tokens(ids)), 2, 1f, 0).withGeneration(greedy))
            .get(10, TimeUnit.SECONDS);

    SampleLabel label = answer.samples().get(0);
    List<Integer> expected = new ArrayList<>();
    int last = ids[1];
    for (int g = 0; g < 4; g++) {
      last = bigram.favourite(last);
      expected.add(last);
    }
    assertEquals(expected, label.generatedIds(), "greedy continuation of the bigram table");
    assertEquals(ids.length + 4, label.positions().size());
    assertEquals(
        bigram.favourite(expected.get(3)),
        label.positions().get(5).getIds(0),
        "the last position is the distribution after the last generated token");
  }

  @Test
  void sampledGenerationRepeatsWithItsSeedAndStopsAtTheContext() throws Exception {
    GenerationSettings sampled =
        GenerationSettings.newBuilder()
            .setMaxNewTokens(40)
            .setSamplingTemperature(3f)
            .setSeed(7)
            .build();
    LabelCall call =
        new LabelCall(List.of(Inputs.tokens(new int[] {1, 2, 3})), 1, 1f, 0)
            .withGeneration(sampled);

    SampleLabel first = client().label(call).get(10, TimeUnit.SECONDS).samples().get(0);
    SampleLabel again = client().label(call).get(10, TimeUnit.SECONDS).samples().get(0);

    assertEquals(first.generatedIds(), again.generatedIds());
    assertTrue(first.generatedIds().size() <= CONTEXT - 3, first.generatedIds().toString());
    assertEquals(3 + first.generatedIds().size(), first.positions().size());
    List<Integer> greedy = new ArrayList<>();
    int last = 3;
    for (int id : first.generatedIds()) {
      last = bigram.favourite(last);
      greedy.add(last);
    }
    assertNotEquals(greedy, first.generatedIds(), "sampling at T=3 departs from greedy");
  }

  @Test
  void fewerPositionsThanTokensIsMalformed() {
    teacher.answers(
        request -> {
          List<SampleLabels> out = new ArrayList<>();
          for (SampleLabels one : bigram.answer(request)) {
            out.add(one.toBuilder().removePositions(one.getPositionsCount() - 1).build());
          }
          return out;
        });

    Throwable e =
        failure(
            client().label(new LabelCall(List.of(Inputs.tokens(new int[] {1, 2, 3})), 1, 1f, 0)));

    TeacherUnavailableException unavailable =
        assertInstanceOf(TeacherUnavailableException.class, e);
    assertEquals(TeacherCallException.MALFORMED_ANSWER, unavailable.reason());
    assertTrue(e.getMessage().contains("2 positions for 3 tokens"), e.getMessage());
  }

  @Test
  void generatedIdsWithoutGenerationAreMalformed() {
    teacher.answers(
        request -> {
          List<SampleLabels> out = new ArrayList<>();
          for (SampleLabels one : bigram.answer(request)) {
            out.add(one.toBuilder().addGeneratedIds(1).addPositions(one.getPositions(0)).build());
          }
          return out;
        });

    Throwable e =
        failure(client().label(new LabelCall(List.of(Inputs.tokens(new int[] {1, 2})), 1, 1f, 0)));

    assertTrue(e.getMessage().contains("1 generated ids where at most 0"), e.getMessage());
  }

  @Test
  void aSequenceLongerThanTheContextIsRejectedNamingTheField() {
    Throwable e =
        failure(
            client().label(new LabelCall(List.of(Inputs.tokens(new int[CONTEXT + 1])), 1, 1f, 0)));

    assertInstanceOf(TeacherRejectedException.class, e);
    assertTrue(e.getMessage().contains("samples[0].tokens.ids"), e.getMessage());
  }
}
