package io.distillery.cli.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.cli.DistilleryCommand;
import io.distillery.localkafka.LocalKafkaBroker;
import io.distillery.localkafka.TopicReader;
import io.distillery.models.data.LabeledImages;
import io.distillery.proto.v1.PromptEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** PromptProducer and {@code distillery produce} against a real broker in this JVM. */
class ProduceTest {

  private static LocalKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = LocalKafkaBroker.builder().build().start();
    kafka.createTopics(
        List.of(
            "images",
            "views",
            "lines",
            "cli-lines",
            "cli-images",
            "texts",
            "jsonl-texts",
            "austen"),
        2);
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run distillery(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new DistilleryCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static Map<String, PromptEvent> read(String topic, int expected) throws Exception {
    Map<String, PromptEvent> byKey = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> r :
        TopicReader.read(kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(30))) {
      byKey.put(r.key(), PromptEvent.parseFrom(r.value()));
    }
    return byKey;
  }

  @Test
  void producesOnePromptPerImage() throws Exception {
    int n = 5;
    float[] pixels = new float[n * 784];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      pixels[i * 784 + i] = 0.5f + i / 10f;
      labels[i] = 9 - i;
    }
    LabeledImages images = new LabeledImages(pixels, labels, 1, 28, 28);
    List<Long> reported = new ArrayList<>();
    try (PromptProducer producer = new PromptProducer(kafka.bootstrapServers())) {
      assertEquals(
          n,
          producer.produceImages(
              "images", images, "fashion-mnist/train", "train-", 100, reported::add));
    }
    assertEquals(n, reported.get(reported.size() - 1));

    Map<String, PromptEvent> prompts = read("images", n);
    assertEquals(
        List.of("train-100", "train-101", "train-102", "train-103", "train-104"),
        prompts.keySet().stream().sorted().toList());
    PromptEvent third = prompts.get("train-102");
    assertEquals("train-102", third.getId());
    assertEquals("fashion-mnist/train", third.getDataset());
    assertEquals(7, third.getLabel());
    assertEquals(List.of(1L, 28L, 28L), third.getInput().getTensor().getShapeList());
    assertEquals(784, third.getInput().getTensor().getValuesCount());
    assertEquals(0.7f, third.getInput().getTensor().getValues(2), 1e-6);
    assertTrue(third.getCreatedAtMs() > 0);
  }

  @Test
  void producesAnAugmentedTransferSetWithProvenanceAndMixedLabels() throws Exception {
    int n = 6;
    float[] pixels = new float[n * 784];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 784; p++) {
        pixels[i * 784 + p] = (p % 28) / 28f; // a horizontal ramp: a flip changes it
      }
      labels[i] = i;
    }
    LabeledImages images = new LabeledImages(pixels, labels, 1, 28, 28);
    io.distillery.models.augment.TransferSet transfer =
        new io.distillery.models.augment.TransferSet(4, 2, true, 0.5f, 1f, 7);
    try (PromptProducer producer = new PromptProducer(kafka.bootstrapServers())) {
      // A slice of images 2..4: the views are those of the whole set, partners from all of it.
      assertEquals(
          12,
          producer.produceViews(
              "views", images, 2, 5, transfer, "fashion-mnist/train", "train-", n2 -> {}));
    }
    Map<String, PromptEvent> prompts = read("views", 12);
    assertEquals(12, prompts.size());
    assertTrue(prompts.containsKey("train-2") && prompts.containsKey("train-4-v3"));
    PromptEvent original = prompts.get("train-3");
    assertEquals("identity", original.getAttributesOrThrow("transform"));
    assertEquals("fashion-mnist/train:3", original.getAttributesOrThrow("source"));
    assertEquals(3, original.getLabel());
    int mixed = 0;
    for (int image = 2; image < 5; image++) {
      for (int v = 1; v < 4; v++) {
        PromptEvent view = prompts.get("train-" + image + "-v" + v);
        TransferSetCheck.sameAs(transfer.view(images, image, v), view);
        assertEquals(image, view.getLabel());
        if (view.hasLabelMix()) {
          mixed++;
          int partner = view.getLabelMix().getSecondLabel(); // label i belongs to image i
          assertTrue(partner != image && partner >= 0 && partner < n);
          assertEquals(
              "fashion-mnist/train:" + image + ",fashion-mnist/train:" + partner,
              view.getAttributesOrThrow("source"));
          assertTrue(view.getAttributesOrThrow("transform").startsWith("mixup("));
        }
      }
    }
    assertTrue(mixed > 0 && mixed < 9, "about half the augmented views are mixup pairs: " + mixed);
  }

  /** A produced view carries exactly the pixels, label mix and transform the set defines. */
  private static final class TransferSetCheck {
    static void sameAs(io.distillery.models.augment.TransferSet.View expected, PromptEvent view) {
      assertEquals(expected.transform(), view.getAttributesOrThrow("transform"));
      assertEquals(expected.mixed(), view.hasLabelMix());
      if (expected.mixed()) {
        assertEquals(expected.weight(), view.getLabelMix().getWeight());
      }
      List<Float> values = view.getInput().getTensor().getValuesList();
      for (int p = 0; p < expected.pixels().length; p++) {
        assertEquals(expected.pixels()[p], values.get(p));
      }
    }
  }

  @Test
  void producesJsonLinesAsProtobuf(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prompts.jsonl");
    Files.writeString(
        file,
        """
        {"id": "p1", "dataset": "demo", "label": 3, "input": {"tensor": {"shape": [2], "values": [0.5, 1]}}}

        {"dataset": "demo", "attributes": {"source": "test"}}
        """);
    AtomicLong acked = new AtomicLong();
    try (PromptProducer producer = new PromptProducer(kafka.bootstrapServers())) {
      assertEquals(2, producer.produceJsonLines("lines", file, acked::set));
    }
    assertEquals(2, acked.get());
    Map<String, PromptEvent> prompts = read("lines", 2);
    assertEquals(3, prompts.get("p1").getLabel());
    assertEquals(List.of(0.5f, 1f), prompts.get("p1").getInput().getTensor().getValuesList());
    // No id: the key is the line number.
    assertEquals("test", prompts.get("3").getAttributesOrThrow("source"));
  }

  @Test
  void aBadLineNamesFileAndLineAndSendsNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"id\": \"ok\"}\n{\"id\": \"x\", \"labl\": 3}\n");
    try (PromptProducer producer = new PromptProducer(kafka.bootstrapServers())) {
      IOException e =
          assertThrows(IOException.class, () -> producer.produceJsonLines("lines", file, n -> {}));
      assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
      assertTrue(e.getMessage().contains("labl"), e.getMessage());
    }
    Files.writeString(file, "{\"id\": \"ok\"}\n{\"id\": \"x\",\n");
    IOException e = assertThrows(IOException.class, () -> PromptProducer.validateJsonLines(file));
    assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
  }

  @Test
  void produceCommandSendsAFileAndSummarises(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prompts.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      lines.append("{\"id\": \"c").append(i).append("\", \"dataset\": \"demo\"}\n");
    }
    Files.writeString(file, lines);
    Run run =
        distillery(
            "produce",
            "-b",
            kafka.bootstrapServers(),
            "-t",
            "cli-lines",
            "--file",
            file.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("Produced 50 prompts to cli-lines on "), run.out());
    assertTrue(run.out().contains("prompts/s"), run.out());
    assertEquals(50, read("cli-lines", 50).size());
  }

  @Test
  void produceCommandSendsASliceOfFashionMnist() throws Exception {
    Run run =
        distillery(
            "produce",
            "-b",
            kafka.bootstrapServers(),
            "-t",
            "cli-images",
            "--fashion-mnist",
            "test",
            "--offset",
            "10",
            "--limit",
            "20",
            "--quiet");
    assertEquals(0, run.exitCode(), run.err());
    Map<String, PromptEvent> prompts = read("cli-images", 20);
    assertEquals(20, prompts.size());
    assertTrue(
        prompts.containsKey("test-10") && prompts.containsKey("test-29"),
        prompts.keySet().toString());
    assertEquals("fashion-mnist/test", prompts.get("test-10").getDataset());
  }

  @Test
  void produceCommandErrorsAreOneLine(@TempDir Path dir) throws Exception {
    Run missingFile =
        distillery("produce", "-b", kafka.bootstrapServers(), "--file", dir + "/none.jsonl");
    assertEquals(1, missingFile.exitCode());
    assertEquals(
        "distillery produce: no such file: " + dir + "/none.jsonl", missingFile.err().strip());

    Path file = dir.resolve("p.jsonl");
    Files.writeString(file, "{\"id\": \"a\"}\n");
    Run missingTopic =
        distillery(
            "produce", "-b", kafka.bootstrapServers(), "-t", "nope", "--file", file.toString());
    assertEquals(1, missingTopic.exitCode());
    assertTrue(
        missingTopic.err().startsWith("distillery produce: topic nope not found on "),
        missingTopic.err());
    assertEquals(1, missingTopic.err().strip().lines().count(), missingTopic.err());

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run unreachable =
        distillery(
            "produce", "-b", "127.0.0.1:" + port, "--timeout", "2s", "--file", file.toString());
    assertEquals(1, unreachable.exitCode());
    assertTrue(
        unreachable.err().startsWith("distillery produce: cannot reach Kafka at 127.0.0.1:" + port),
        unreachable.err());
    assertEquals(1, unreachable.err().strip().lines().count(), unreachable.err());
  }

  @Test
  void textProducesOnePromptPerParagraph(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("story.txt");
    Files.writeString(
        file, "First paragraph,\nstill the first.\n\n\nSecond — with a dash.\n  \nThird.\n");

    Run run =
        distillery(
            "produce", "--text", file.toString(), "-b", kafka.bootstrapServers(), "-t", "texts");

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("Produced 3 text prompts"), run.out());
    Map<String, PromptEvent> prompts = read("texts", 3);
    assertEquals(
        List.of("story.txt-1", "story.txt-2", "story.txt-3"),
        List.copyOf(new java.util.TreeSet<>(prompts.keySet())));
    assertEquals(
        "First paragraph,\nstill the first.", prompts.get("story.txt-1").getInput().getText());
    assertEquals("Second — with a dash.", prompts.get("story.txt-2").getInput().getText());
    assertEquals("text/story.txt", prompts.get("story.txt-3").getDataset());
  }

  @Test
  void textReadsTheTextFieldOfJsonLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("corpus.jsonl");
    Files.writeString(
        file, "{\"id\": \"a\", \"text\": \"Alpha text.\"}\n\n{\"text\": \"Beta\\nlines.\"}\n");

    Run run =
        distillery(
            "produce",
            "--text",
            file.toString(),
            "-b",
            kafka.bootstrapServers(),
            "-t",
            "jsonl-texts",
            "--quiet");

    assertEquals(0, run.exitCode(), run.err());
    Map<String, PromptEvent> prompts = read("jsonl-texts", 2);
    assertEquals("Alpha text.", prompts.get("a").getInput().getText());
    assertEquals("Beta\nlines.", prompts.get("line-3").getInput().getText());
  }

  @Test
  void austenProducesParagraphsOfTheTrainingNovels() throws Exception {
    Run run =
        distillery(
            "produce", "--austen", "--limit", "25", "-b", kafka.bootstrapServers(), "-t", "austen");

    assertEquals(0, run.exitCode(), run.err());
    Map<String, PromptEvent> prompts = read("austen", 25);
    assertEquals(25, prompts.size());
    for (Map.Entry<String, PromptEvent> prompt : prompts.entrySet()) {
      assertTrue(prompt.getKey().startsWith("sensesensibility-"), prompt.getKey());
      assertEquals("janeausten/train", prompt.getValue().getDataset());
      assertTrue(!prompt.getValue().getInput().getText().isBlank());
    }
    assertTrue(
        prompts.values().stream().anyMatch(p -> p.getInput().getText().contains("Dashwood")),
        "Sense and Sensibility begins with the Dashwoods");
  }

  @Test
  void austenParagraphsCoverFiveNovelsAndHoldOutPersuasion() throws Exception {
    java.nio.file.Path dir = io.distillery.models.text.JaneAusten.locate(null);
    List<io.distillery.models.text.Document> paragraphs =
        TextPrompts.paragraphs(io.distillery.models.text.JaneAusten.training(dir).documents());

    assertTrue(paragraphs.size() > 5_000, paragraphs.size() + " paragraphs");
    assertTrue(paragraphs.stream().noneMatch(p -> p.id().startsWith("persuasion-")));
    for (String novel :
        List.of("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey")) {
      assertTrue(paragraphs.stream().anyMatch(p -> p.id().equals(novel + "-1")), novel);
    }
  }
}
