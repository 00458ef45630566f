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
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TokenWindow;
import io.distillery.teacherclient.testing.BigramTeacher;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text prompts on the real broker, written by kcat like any upstream producer would, labelled by
 * the fake causal-LM teacher (a bigram table over a real socket) with the teacher's tokenizer: one
 * distribution per token, long texts cut into windows with their provenance, bad texts
 * dead-lettered with their reasons.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
@TestProfile(TextProfiles.WithTokenizer.class)
class TextPromptsTest {

  private static final BigramTeacher BIGRAM =
      new BigramTeacher(TestTokenizer.VOCABULARY, TestTokenizer.END_OF_TEXT, TextProfiles.CONTEXT);
  private static TextTokenizer tokenizer;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  FakeTeacher teacher;

  @BeforeAll
  static void loadTokenizer() throws Exception {
    tokenizer = TextTokenizer.load(TestTokenizer.file());
  }

  @AfterAll
  static void closeTokenizer() {
    tokenizer.close();
  }

  @BeforeEach
  void healthyTeacherAndOpenGate() {
    teacher.reset();
    // The gate opens once the teacher described itself; a loaded machine may take a while.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
  }

  @Test
  void aTextPromptWrittenByKcatBecomesASoftLabelWithOneDistributionPerToken() throws Exception {
    String id = Prompts.runId("kcat-text") + "0";
    String text = "a single man of good fortune";
    int[] expected = ids(text);
    assertTrue(expected.length > 3 && expected.length <= TextProfiles.CONTEXT, "fits one window");
    kcat(
        bootstrap,
        id,
        "{\"id\": \"" + id + "\", \"dataset\": \"kcat\", \"input\": {\"text\": \"" + text + "\"}}");

    SoftLabelEvent label = only(awaitLabels(List.of(id)).get(id));

    assertEquals(id, label.getPromptId(), "a short text keeps the prompt's id");
    assertEquals("kcat", label.getDataset());
    assertEquals(toList(expected), label.getInput().getTokens().getIdsList());
    assertEquals(expected.length, label.getPositions(), "one distribution per token");
    assertEquals(TestTokenizer.sha256(), label.getTeacher().getTokenizerSha256());
    assertBigramDistributions(expected, label);
    TokenWindow window = label.getWindow();
    assertEquals(1, window.getCount());
    assertEquals(0, window.getFirstByte());
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, window.getByteCount());
    assertEquals(expected.length, window.getPromptTokens());
    assertEquals(0, label.getGeneratedIdsCount());
  }

  @Test
  void aLongTextIsCutIntoWindowsKeyedByIndexWithTheirProvenance() throws Exception {
    String id = Prompts.runId("long-text") + "0";
    String text =
        "The family of Dashwood had long been settled in Sussex. Their estate was large, and"
            + " their résidence was at Norland Park, in the centre of their property, where for"
            + " many generations they had lived in so respectable a manner.";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int[] all = ids(text);
    int windows = (all.length + TextProfiles.CONTEXT - 1) / TextProfiles.CONTEXT;
    assertTrue(windows >= 3, all.length + " tokens");
    kcat(bootstrap, id, "{\"id\": \"" + id + "\", \"input\": {\"text\": \"" + text + "\"}}");

    List<String> keys = new ArrayList<>();
    for (int n = 0; n < windows; n++) {
      keys.add(id + "#" + n);
    }
    Map<String, List<ConsumerRecord<String, byte[]>>> labels = awaitLabels(keys);

    assertEquals(keys.size(), labels.size(), "one soft label per window: " + labels.keySet());
    int nextByte = 0;
    for (int n = 0; n < windows; n++) {
      SoftLabelEvent label = only(labels.get(id + "#" + n));
      int first = n * TextProfiles.CONTEXT;
      int[] expected =
          Arrays.copyOfRange(all, first, Math.min(all.length, first + TextProfiles.CONTEXT));
      assertEquals(id + "#" + n, label.getPromptId());
      assertEquals(toList(expected), label.getInput().getTokens().getIdsList(), "window " + n);
      assertEquals(expected.length, label.getPositions());
      assertBigramDistributions(expected, label);
      TokenWindow window = label.getWindow();
      assertEquals(n, window.getIndex());
      assertEquals(windows, window.getCount());
      assertEquals(first, window.getFirstToken());
      assertEquals(all.length, window.getPromptTokens());
      assertEquals(nextByte, window.getFirstByte(), "windows cover the text without overlap");
      String covered =
          new String(utf8, window.getFirstByte(), window.getByteCount(), StandardCharsets.UTF_8);
      assertEquals(tokenizer.decode(toLongs(expected)), covered, "window " + n + "'s bytes");
      nextByte = window.getFirstByte() + window.getByteCount();
    }
    assertEquals(utf8.length, nextByte, "the windows end where the text ends");
    assertTrue(
        KafkaTopics.awaitKeys(
                bootstrap, DistilleryTopics.SOFT_LABELS, List.of(id), Duration.ofSeconds(2))
            .isEmpty(),
        "a cut text has no label under the bare prompt id");
  }

  @Test
  void eachKindOfBadTextLandsInTheDeadLetterTopicWithItsReason() throws Exception {
    String run = Prompts.runId("bad-text");
    String empty = run + "empty";
    String invalid = run + "invalid-utf8";
    String oversized = run + "oversized";
    ByteArrayOutputStream invalidValue = new ByteArrayOutputStream();
    invalidValue.writeBytes(
        ("{\"id\": \"" + invalid + "\", \"input\": {\"text\": \"caf")
            .getBytes(StandardCharsets.UTF_8));
    invalidValue.write(0xE9); // Latin-1 é: not UTF-8
    invalidValue.writeBytes("\"}}".getBytes(StandardCharsets.UTF_8));
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      writer.send(
          DistilleryTopics.PROMPTS,
          empty,
          ("{\"id\": \"" + empty + "\", \"input\": {\"text\": \"\"}}")
              .getBytes(StandardCharsets.UTF_8));
      writer.send(DistilleryTopics.PROMPTS, invalid, invalidValue.toByteArray());
      writer.send(
          DistilleryTopics.PROMPTS,
          oversized,
          ("{\"id\": \""
                  + oversized
                  + "\", \"input\": {\"text\": \""
                  + "a".repeat(TextProfiles.MAX_TEXT_BYTES + 1)
                  + "\"}}")
              .getBytes(StandardCharsets.UTF_8));
    }

    Map<String, List<ConsumerRecord<String, byte[]>>> letters =
        KafkaTopics.awaitKeys(
            bootstrap,
            DistilleryTopics.PROMPTS_DLQ,
            List.of(empty, invalid, oversized),
            Duration.ofSeconds(30));

    assertEquals("empty-text", reason(letters.get(empty)));
    assertEquals("invalid-utf8", reason(letters.get(invalid)));
    assertTrue(
        Arrays.equals(invalidValue.toByteArray(), letters.get(invalid).get(0).value()),
        "the original bytes");
    assertEquals("oversized-text", reason(letters.get(oversized)));
    assertTrue(
        message(letters.get(oversized)).contains("distillery.labeler.text.max-bytes allows 2000"),
        message(letters.get(oversized)));
    assertTrue(
        KafkaTopics.awaitKeys(
                bootstrap,
                DistilleryTopics.SOFT_LABELS,
                List.of(empty, invalid, oversized),
                Duration.ofSeconds(2))
            .isEmpty(),
        "no soft label for bad text");
  }

  private Map<String, List<ConsumerRecord<String, byte[]>>> awaitLabels(List<String> keys) {
    return KafkaTopics.awaitKeys(
        bootstrap, DistilleryTopics.SOFT_LABELS, keys, Duration.ofSeconds(30));
  }

  private static void assertBigramDistributions(int[] tokens, SoftLabelEvent label) {
    List<SparseDistribution> positions =
        SparseCodec.decode(
            label.getDistributions().toByteArray(),
            label.getPositions(),
            SparseCodec.Format.of(label.getDistributionsFormat()));
    for (int i = 0; i < tokens.length; i++) {
      SparseDistribution expected = BIGRAM.distribution(tokens[i], 4, 1f);
      assertEquals(expected.getIdsList(), positions.get(i).getIdsList(), "position " + i);
      assertEquals(expected.getLogProbs(0), positions.get(i).getLogProbs(0), 0.05);
    }
  }

  static SoftLabelEvent only(List<ConsumerRecord<String, byte[]>> records) throws Exception {
    assertTrue(records != null && records.size() == 1, "exactly one label: " + records);
    return SoftLabelEvent.parseFrom(records.get(0).value());
  }

  private static String reason(List<ConsumerRecord<String, byte[]>> records) {
    assertTrue(records != null && !records.isEmpty(), "dead-lettered");
    return new String(
        records.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(),
        StandardCharsets.UTF_8);
  }

  private static String message(List<ConsumerRecord<String, byte[]>> records) {
    return new String(
        records.get(0).headers().lastHeader(DeadLetterHeaders.MESSAGE).value(),
        StandardCharsets.UTF_8);
  }

  private static int[] ids(String text) {
    return Arrays.stream(tokenizer.encode(text)).mapToInt(Math::toIntExact).toArray();
  }

  private static List<Integer> toList(int[] ids) {
    return Arrays.stream(ids).boxed().toList();
  }

  private static long[] toLongs(int[] ids) {
    return Arrays.stream(ids).asLongStream().toArray();
  }

  /** Writes one record with kcat (/usr/bin/kcat), as an upstream producer would. */
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
}
