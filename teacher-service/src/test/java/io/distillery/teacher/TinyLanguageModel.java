package io.distillery.teacher;

import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.models.teacher.CausalLmTeacherTrainer;
import io.distillery.models.text.Document;
import io.distillery.models.text.TextCorpus;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny causal-LM teacher (1 layer, width 32, context 32, 300 tokens) trained for a few seconds by
 * the real {@code teacher train --task causal-lm} pipeline on generated sentences, exported by our
 * exporter: a model directory with {@code model.onnx}, {@code tokenizer.json} and the card. As a
 * test resource it points teacher-service at it.
 */
public class TinyLanguageModel implements QuarkusTestResourceLifecycleManager {

  /** Vocabulary size of the tiny model. */
  public static final int VOCAB = 300;

  /** Its context (longest sequence). */
  public static final int CONTEXT = 32;

  private static Path modelDir;

  /** The model directory, trained once per JVM. */
  public static synchronized Path modelDir() {
    if (modelDir == null) {
      try {
        Path dir = Files.createTempDirectory("tiny-lm").resolve("tiny-lm");
        CausalLmTeacherConfig config =
            CausalLmTeacherConfig.defaults(dir)
                .withNetwork(VOCAB, CONTEXT, 1, 32, 2, 64)
                .withSchedule(16, 3e-3f, 3e-4f, 5)
                .withBudget(60, 0);
        new CausalLmTeacherTrainer(
                config,
                new PrintStream(PrintStream.nullOutputStream()),
                CausalLmTeacherTrainer.Listener.NONE)
            .train(corpus("train", 1, 60), corpus("held-out", 2, 4), "generated");
        modelDir = dir;
      } catch (Exception e) {
        throw new IllegalStateException("could not train the tiny language model", e);
      }
    }
    return modelDir;
  }

  /** Documents of sentences drawn from a small grammar, repeatable by seed. */
  public static TextCorpus corpus(String name, long seed, int documents) {
    String[] subjects = {
      "The cat", "A dog", "My sister", "The old man", "Anne", "Captain Wentworth"
    };
    String[] verbs = {"walked to", "looked at", "spoke of", "thought about", "returned to"};
    String[] objects = {"the garden", "the sea", "a letter", "the house", "Bath", "the window"};
    Random random = new Random(seed);
    List<Document> docs = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      StringBuilder text = new StringBuilder();
      for (int s = 0; s < 20; s++) {
        text.append(subjects[random.nextInt(subjects.length)])
            .append(' ')
            .append(verbs[random.nextInt(verbs.length)])
            .append(' ')
            .append(objects[random.nextInt(objects.length)])
            .append(random.nextInt(4) == 0 ? "! " : ". ");
      }
      docs.add(new Document(name + "-" + d, text.toString().trim()));
    }
    return new TextCorpus(name, docs);
  }

  @Override
  public Map<String, String> start() {
    return Map.of("distillery.teacher.model-dir", modelDir().toString());
  }

  @Override
  public void stop() {}
}
