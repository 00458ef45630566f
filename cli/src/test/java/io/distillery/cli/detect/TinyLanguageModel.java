package io.distillery.cli.detect;

import io.distillery.models.teacher.CausalLmTeacherConfig;
import io.distillery.models.teacher.CausalLmTeacherTrainer;
import io.distillery.models.text.Document;
import io.distillery.models.text.TextCorpus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny causal-LM teacher trained by our pipeline in seconds (byte-level BPE of {@value #VOCAB}
 * tokens, one decoder layer, context {@value #CONTEXT}), written in the teacher's layout
 * (teacher-card.json, model.onnx, tokenizer.json) for teacher-service and {@code detect}.
 */
public final class TinyLanguageModel {

  /** Tokens of its vocabulary. */
  public static final int VOCAB = 300;

  /** Its context, in tokens. */
  public static final int CONTEXT = 32;

  private TinyLanguageModel() {}

  /** Trains it into {@code dir} and returns {@code dir}. */
  public static Path train(Path dir) throws Exception {
    new CausalLmTeacherTrainer(
            CausalLmTeacherConfig.defaults(dir)
                .withNetwork(VOCAB, CONTEXT, 1, 32, 2, 64)
                .withSchedule(16, 3e-3f, 3e-4f, 5)
                .withBudget(60, 0),
            new PrintStream(PrintStream.nullOutputStream()),
            CausalLmTeacherTrainer.Listener.NONE)
        .train(corpus("train", 1, 60), corpus("held-out", 2, 4), "generated");
    return dir;
  }

  /** Documents of sentences drawn from a small grammar, repeatable by seed. */
  private static TextCorpus corpus(String name, long seed, int documents) {
    String[] subjects = {"The lady", "Her sister", "The captain", "Anne", "Mr Elliot", "They"};
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
}
