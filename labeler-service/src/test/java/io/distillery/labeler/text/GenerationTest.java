package io.distillery.labeler.text;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.deadletter.DeadLetterHeaders;
import io.distillery.labeler.support.KafkaTopics;
import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.labeler.support.TestTokenizer;
import io.distillery.labeler.support.TextProfiles;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacherclient.testing.BigramTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A labeler with {@code generation.enabled}: the teacher continues every prompt and the soft label
 * stores the generated ids with one distribution per prompt token and per generated token. No
 * tokenizer is configured here, so a text prompt is dead-lettered with reason {@code no-tokenizer}.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
@TestProfile(TextProfiles.GeneratingWithoutTokenizer.class)
class GenerationTest {

  private static final BigramTeacher BIGRAM =
      new BigramTeacher(TestTokenizer.VOCABULARY, TestTokenizer.END_OF_TEXT, TextProfiles.CONTEXT);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @BeforeEach
  void openGate() {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
  }

  @Test
  void generatedIdsAreStoredWithTheirDistributions() throws Exception {
    String id = Prompts.runId("generate") + "0";
    List<Integer> prompt = List.of(5, 17, 42);
    PromptEvent event =
        PromptEvent.newBuilder()
            .setId(id)
            .setInput(
                ModelInput.newBuilder().setTokens(TokenSequence.newBuilder().addAllIds(prompt)))
            .build();
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      writer.send(DistilleryTopics.PROMPTS, id, event.toByteArray());
    }

    List<ConsumerRecord<String, byte[]>> records =
        KafkaTopics.awaitKeys(
                bootstrap, DistilleryTopics.SOFT_LABELS, List.of(id), Duration.ofSeconds(30))
            .get(id);
    SoftLabelEvent label = TextPromptsTest.only(records);

    List<Integer> greedy = new ArrayList<>();
    int last = prompt.get(prompt.size() - 1);
    for (int g = 0; g < 3; g++) {
      last = BIGRAM.favourite(last);
      greedy.add(last);
    }
    assertEquals(greedy, label.getGeneratedIdsList(), "3 greedy tokens of the bigram teacher");
    assertEquals(prompt, label.getInput().getTokens().getIdsList(), "the input stays the prompt");
    assertEquals(prompt.size() + 3, label.getPositions(), "prompt and generated positions");
    List<SparseDistribution> positions =
        SparseCodec.decode(
            label.getDistributions().toByteArray(),
            label.getPositions(),
            SparseCodec.Format.of(label.getDistributionsFormat()));
    List<Integer> sequence = new ArrayList<>(prompt);
    sequence.addAll(greedy);
    for (int i = 0; i < sequence.size(); i++) {
      assertEquals(BIGRAM.favourite(sequence.get(i)), positions.get(i).getIds(0), "position " + i);
    }
  }

  @Test
  void aTextPromptWithoutATokenizerIsDeadLetteredAsNoTokenizer() throws Exception {
    String id = Prompts.runId("no-tokenizer") + "0";
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      writer.send(
          DistilleryTopics.PROMPTS,
          id,
          ("{\"id\": \"" + id + "\", \"input\": {\"text\": \"a single man\"}}")
              .getBytes(StandardCharsets.UTF_8));
    }

    Map<String, List<ConsumerRecord<String, byte[]>>> letters =
        KafkaTopics.awaitKeys(
            bootstrap, DistilleryTopics.PROMPTS_DLQ, List.of(id), Duration.ofSeconds(30));

    ConsumerRecord<String, byte[]> letter = letters.get(id).get(0);
    assertEquals(
        "no-tokenizer",
        new String(
            letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8));
    assertTrue(
        new String(
                letter.headers().lastHeader(DeadLetterHeaders.MESSAGE).value(),
                StandardCharsets.UTF_8)
            .contains("distillery.labeler.text.tokenizer"));
  }
}
