package io.distillery.teacher.watermark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.watermark.CosineWatermark;
import io.distillery.models.watermark.WatermarkKey;
import io.distillery.models.watermark.lm.LmWatermarkKey;
import io.distillery.models.watermark.lm.VocabWatermark;
import io.distillery.teacher.TinyLanguageModel;
import io.distillery.teacher.TinyTeacherResource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The start-up check of a watermark key against the cards of real teachers (the tiny classifier and
 * the tiny decoder trained by our pipeline): each kind of key fits its own task only, an LM key
 * must have the teacher's vocabulary, and every refusal names the key's kind, the task and the
 * command that makes the right key.
 */
class WatermarkKeyKindTest {

  private static final Path KEY_FILE = Path.of("/secrets/teacher.key");

  private static MarkScheme classifierScheme() {
    return new ClassifierMarkScheme(
        new CosineWatermark(
            WatermarkKey.generate(
                784, 10, WatermarkKey.DEFAULT_FREQUENCY, WatermarkKey.DEFAULT_GRID),
            0.2));
  }

  private static MarkScheme lmScheme(int vocab) {
    return new LmMarkScheme(
        new VocabWatermark(
            LmWatermarkKey.generate(
                vocab, LmWatermarkKey.DEFAULT_FREQUENCY, LmWatermarkKey.DEFAULT_CONTEXT),
            0.5));
  }

  @Test
  void lmKeyOnClassifierIsRefusedNamingTheClassificationKeyCommand() {
    Path classifier = TinyTeacherResource.modelDir();
    String message =
        assertThrows(
                IllegalStateException.class,
                () ->
                    Watermarking.checkServes(
                        lmScheme(TinyLanguageModel.VOCAB), KEY_FILE, classifier))
            .getMessage();
    assertTrue(message.contains("distillery.teacher.watermark.key-file " + KEY_FILE), message);
    assertTrue(message.contains("holds a causal-lm watermark key"), message);
    assertTrue(message.contains("serves the classification task"), message);
    assertTrue(
        message.contains("'distillery teacher watermark-key --classes 10 --out FILE'"), message);
  }

  @Test
  void classifierKeyOnLmIsRefusedNamingTheLmKeyCommand() {
    Path lm = TinyLanguageModel.modelDir();
    String message =
        assertThrows(
                IllegalStateException.class,
                () -> Watermarking.checkServes(classifierScheme(), KEY_FILE, lm))
            .getMessage();
    assertTrue(message.contains("holds a classification watermark key"), message);
    assertTrue(message.contains("serves the causal-lm task"), message);
    assertTrue(
        message.contains(
            "'distillery teacher watermark-key --track lm --vocab-size "
                + TinyLanguageModel.VOCAB
                + " --out FILE'"),
        message);
  }

  @Test
  void lmKeyOfAnotherVocabularyIsRefused() {
    Path lm = TinyLanguageModel.modelDir();
    String message =
        assertThrows(
                IllegalStateException.class,
                () ->
                    Watermarking.checkServes(lmScheme(TinyLanguageModel.VOCAB + 12), KEY_FILE, lm))
            .getMessage();
    assertTrue(
        message.contains(
            "vocabulary of "
                + (TinyLanguageModel.VOCAB + 12)
                + " tokens but the teacher's vocabulary has "
                + TinyLanguageModel.VOCAB),
        message);
  }

  @Test
  void matchingKeysPass() {
    assertDoesNotThrow(
        () ->
            Watermarking.checkServes(classifierScheme(), KEY_FILE, TinyTeacherResource.modelDir()));
    assertDoesNotThrow(
        () ->
            Watermarking.checkServes(
                lmScheme(TinyLanguageModel.VOCAB), KEY_FILE, TinyLanguageModel.modelDir()));
  }
}
