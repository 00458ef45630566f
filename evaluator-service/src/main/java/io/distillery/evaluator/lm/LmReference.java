package io.distillery.evaluator.lm;

import ai.djl.Model;
import io.distillery.evaluator.EvaluationFailure;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.text.Document;
import io.distillery.models.text.JaneAusten;
import io.distillery.models.text.TextCorpus;
import io.distillery.models.tokenizer.TextTokenizer;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * What every LM checkpoint is scored against: the teacher loaded in-process from its model
 * directory, its tokenizer, and the held-out text's first tokens. Loaded once; the caller closes
 * it.
 *
 * @param card the teacher's card
 * @param teacher the teacher's model
 * @param runner runs the teacher
 * @param tokenizer the teacher's tokenizer (students share it)
 * @param context the teacher's longest sequence
 * @param tokens the held-out tokens scored, documents separated by end-of-text
 * @param bytes UTF-8 bytes of the text those tokens cover
 * @param evalSetId names the text and the cap, e.g. {@code janeausten:persuasion[tokens 0:20000]}
 *     (the scored count is {@code tokens.length})
 */
public record LmReference(
    TeacherCard card,
    Model teacher,
    LmRunner runner,
    TextTokenizer tokenizer,
    int context,
    int[] tokens,
    long bytes,
    String evalSetId)
    implements AutoCloseable {

  /**
   * Loads the teacher and the held-out text.
   *
   * @param teacherDir the teacher's model directory, if configured
   * @param heldOutFile the held-out text, if configured (else Persuasion from janeaustenr)
   * @param maxTokens cap on the tokens scored
   * @param evalSetId the id evaluations record
   * @throws EvaluationFailure {@code missing-teacher} or {@code missing-held-out}, saying what to
   *     configure
   */
  public static LmReference load(
      Optional<Path> teacherDir, Optional<Path> heldOutFile, int maxTokens, String evalSetId)
      throws EvaluationFailure {
    if (teacherDir.isEmpty()) {
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_TEACHER,
          "no LM teacher to compare with: set distillery.evaluator.lm.teacher-dir to the teacher's"
              + " model directory (teacher-card.json, tokenizer.json, params or model.onnx)");
    }
    TextCorpus text = heldOut(heldOutFile);
    Path dir = teacherDir.get();
    TeacherCardFile card;
    TextTokenizer tokenizer;
    try {
      card = TeacherArtifacts.checkFiles(dir);
      if (!card.isCausalLm() || card.languageModel() == null) {
        throw new IOException("its card is a " + card.task() + " model, not a causal LM");
      }
      tokenizer = TeacherArtifacts.loadTokenizer(dir);
    } catch (IOException | RuntimeException e) {
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_TEACHER,
          "LM teacher directory " + dir + " is not usable: " + e.getMessage(),
          e);
    }
    Model model;
    boolean pytorch = card.files().containsKey(TeacherCardFile.FILE_PARAMS);
    try {
      model =
          pytorch ? TeacherArtifacts.loadPyTorch(dir) : TeacherArtifacts.loadOnnx(dir, Map.of());
    } catch (Exception e) {
      tokenizer.close();
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_TEACHER,
          "the LM teacher in " + dir + " does not load: " + e.getMessage(),
          e);
    }
    Tokens held = tokens(text, tokenizer, maxTokens);
    return new LmReference(
        card(card, pytorch),
        model,
        new LmRunner(model),
        tokenizer,
        card.languageModel().maxSequenceLength() > 0
            ? card.languageModel().maxSequenceLength()
            : card.languageModel().architecture().contextLength(),
        held.ids,
        held.bytes,
        evalSetId);
  }

  /** The teacher's vocabulary size. */
  public int vocab() {
    return card.getOutputSize();
  }

  private static TextCorpus heldOut(Optional<Path> file) throws EvaluationFailure {
    try {
      if (file.isPresent()) {
        if (!Files.isRegularFile(file.get())) {
          throw new FileNotFoundException(
              "distillery.evaluator.lm.held-out-file " + file.get() + " does not exist");
        }
        return TextCorpus.read(file.get());
      }
      return JaneAusten.heldOut(JaneAusten.locate(null));
    } catch (IOException | RuntimeException e) {
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_HELD_OUT,
          "no held-out text for language models: "
              + e.getMessage()
              + " (set distillery.evaluator.lm.held-out-file to a UTF-8 text or JSON-lines file)",
          e);
    }
  }

  private record Tokens(int[] ids, long bytes) {}

  /** The text's first {@code max} tokens, documents separated by end-of-text, and their bytes. */
  private static Tokens tokens(TextCorpus text, TextTokenizer tokenizer, int max)
      throws EvaluationFailure {
    int[] ids = new int[0];
    long bytes = 0;
    for (Document document : text.documents()) {
      if (ids.length >= max) {
        break;
      }
      int separator = ids.length == 0 ? 0 : 1;
      long[] encoded = tokenizer.encode(document.text());
      int room = max - ids.length - separator;
      long[] kept = encoded.length <= room ? encoded : Arrays.copyOf(encoded, Math.max(0, room));
      int from = ids.length;
      ids = Arrays.copyOf(ids, from + separator + kept.length);
      if (separator == 1) {
        ids[from] = tokenizer.endOfTextId();
      }
      for (int i = 0; i < kept.length; i++) {
        ids[from + separator + i] = (int) kept[i];
      }
      // A cut document counts the bytes of the text its kept tokens decode to.
      bytes +=
          kept.length == encoded.length
              ? document.utf8Bytes()
              : tokenizer.decode(kept).getBytes(StandardCharsets.UTF_8).length;
    }
    if (ids.length < 2 || bytes == 0) {
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_HELD_OUT,
          "held-out text " + text.name() + " gives " + ids.length + " tokens; at least 2 needed");
    }
    return new Tokens(ids, bytes);
  }

  private static TeacherCard card(TeacherCardFile card, boolean pytorch) {
    TeacherCardFile.FileEntry weights =
        card.file(pytorch ? TeacherCardFile.FILE_PARAMS : TeacherCardFile.FILE_ONNX);
    TeacherCardFile.Tokenizer tokenizer = card.languageModel().tokenizer();
    return TeacherCard.newBuilder()
        .setModelId(card.id())
        .setVersion(card.version() == null ? "" : card.version())
        .setArtifactSha256(weights.sha256())
        .setEngine(pytorch ? TeacherArtifacts.PYTORCH : TeacherArtifacts.ONNX_RUNTIME)
        .setTask(Task.TASK_CAUSAL_LM)
        .setOutputSize(card.outputSize())
        .setLicenseSpdx(card.licenseSpdx() == null ? "" : card.licenseSpdx())
        .setDistillation(
            TeacherCardFile.DISTILLATION_ALLOWED.equals(card.distillation())
                ? DistillationPolicy.DISTILLATION_ALLOWED
                : DistillationPolicy.DISTILLATION_POLICY_UNSPECIFIED)
        .setTokenizerSha256(tokenizer == null ? "" : tokenizer.sha256())
        .setEndOfTextId(tokenizer == null ? 0 : tokenizer.endOfTextId())
        .setArchitecture(card.languageModel().architecture().name())
        .build();
  }

  @Override
  public void close() {
    teacher.close();
    tokenizer.close();
  }
}
