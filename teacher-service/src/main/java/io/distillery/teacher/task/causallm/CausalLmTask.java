package io.distillery.teacher.task.causallm;

import io.distillery.models.lm.LmRunner;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.batching.BatcherListener;
import io.distillery.teacher.batching.DynamicBatcher;
import io.distillery.teacher.config.TeacherConfig;
import io.distillery.teacher.model.LoadedTeacher;
import io.distillery.teacher.model.TeacherLoadException;
import io.distillery.teacher.task.ServedModel;
import io.distillery.teacher.task.ServedTask;
import java.util.Locale;

/**
 * Causal language models: a decoder with inputs {@code input_ids} and {@code attention_mask} and
 * output {@code logits} (batch, sequence, vocabulary) — ours, or any plain Optimum-style export —
 * with the {@code tokenizer.json} and {@code language_model} section of its card.
 */
public final class CausalLmTask implements ServedTask {

  @Override
  public Task task() {
    return Task.TASK_CAUSAL_LM;
  }

  @Override
  public ServedModel serve(
      LoadedTeacher teacher, TeacherConfig.Batching batching, BatcherListener listener)
      throws TeacherLoadException {
    TeacherCard card = describe(teacher.card(), teacher.cardFile());
    int vocabSize = card.getOutputSize();
    DynamicBatcher<int[], float[]> batcher =
        new DynamicBatcher<>(
            batching.maxBatchSize(),
            batching.maxDelay(),
            batching.queueCapacity(),
            batching.workers(),
            () -> new DecoderRunner(new LmRunner(teacher.model()), vocabSize),
            listener);
    return new CausalLmModel(teacher, card, batcher);
  }

  /**
   * The served card: the generic one plus what a language model's users need — the context (longest
   * sequence), the tokenizer's sha256 (the one tokenization every stage must use) and the
   * end-of-text id — and its held-out score as training facts.
   */
  static TeacherCard describe(TeacherCard generic, TeacherCardFile file)
      throws TeacherLoadException {
    TeacherCardFile.LanguageModel lm = file.languageModel();
    if (lm == null || lm.tokenizer() == null) {
      throw new TeacherLoadException(
          "teacher card "
              + file.id()
              + " has task causal-lm but no language_model.tokenizer section (vocabulary,"
              + " context, tokenizer sha256, end-of-text id)");
    }
    String tokenizerSha256;
    try {
      tokenizerSha256 = file.file(TeacherCardFile.FILE_TOKENIZER).sha256();
    } catch (IllegalStateException e) {
      throw new TeacherLoadException(
          e.getMessage() + ": a causal LM's card lists its tokenizer.json under files.tokenizer",
          e);
    }
    if (lm.tokenizer().sha256() != null && !lm.tokenizer().sha256().equals(tokenizerSha256)) {
      throw new TeacherLoadException(
          "teacher card "
              + file.id()
              + ": language_model.tokenizer.sha256 "
              + lm.tokenizer().sha256()
              + " differs from files.tokenizer.sha256 "
              + tokenizerSha256);
    }
    int vocabSize = lm.vocabSize() > 0 ? lm.vocabSize() : file.outputSize();
    if (vocabSize != file.outputSize() || vocabSize < 2) {
      throw new TeacherLoadException(
          "teacher card "
              + file.id()
              + ": language_model.vocab_size "
              + lm.vocabSize()
              + " and output_size "
              + file.outputSize()
              + " must agree (and be >= 2)");
    }
    if (lm.maxSequenceLength() < 1) {
      throw new TeacherLoadException(
          "teacher card " + file.id() + ": language_model.max_sequence_length must be >= 1");
    }
    int endOfText = lm.tokenizer().endOfTextId();
    if (endOfText < 0 || endOfText >= vocabSize) {
      throw new TeacherLoadException(
          "teacher card "
              + file.id()
              + ": language_model.tokenizer.end_of_text_id "
              + endOfText
              + " is outside the vocabulary [0, "
              + vocabSize
              + ")");
    }
    TeacherCard.Builder card =
        generic.toBuilder()
            .setOutputSize(vocabSize)
            .setTokenizerSha256(tokenizerSha256)
            .setEndOfTextId(endOfText);
    card.getLimitsBuilder().setMaxSequenceLength(lm.maxSequenceLength());
    if (lm.parameters() > 0) {
      card.putTrainingFacts("parameters", Long.toString(lm.parameters()));
    }
    if (lm.evaluation() != null) {
      card.putTrainingFacts("held_out", String.valueOf(lm.evaluation().dataset()))
          .putTrainingFacts("bits_per_byte", format(lm.evaluation().bitsPerByte()))
          .putTrainingFacts("nats_per_token", format(lm.evaluation().natsPerToken()));
    }
    if (lm.training() != null) {
      card.putTrainingFacts("steps", Integer.toString(lm.training().steps()))
          .putTrainingFacts("training_seconds", format(lm.training().trainingSeconds()))
          .putTrainingFacts("tokens_seen", Long.toString(lm.training().tokensSeen()));
    }
    return card.build();
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
