package io.distillery.teacher.model;

import ai.djl.Model;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.proto.v1.TeacherCard;
import java.nio.file.Path;

/** A teacher model loaded on its engine, with the card that describes it. */
public final class LoadedTeacher implements AutoCloseable {

  private final TeacherCard card;
  private final Model model;
  private final TeacherCardFile cardFile;
  private final Path dir;

  LoadedTeacher(TeacherCard card, Model model, TeacherCardFile cardFile, Path dir) {
    this.card = card;
    this.model = model;
    this.cardFile = cardFile;
    this.dir = dir;
  }

  /** The card, with the artifact's sha256 and the engine filled in. */
  public TeacherCard card() {
    return card;
  }

  /** The engine's model; each batcher worker makes its own predictor from it. */
  public Model model() {
    return model;
  }

  /** The verified {@code teacher-card.json} the model was loaded from (task-specific sections). */
  public TeacherCardFile cardFile() {
    return cardFile;
  }

  /** The model directory (e.g. for a causal LM's tokenizer). */
  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    model.close();
  }
}
