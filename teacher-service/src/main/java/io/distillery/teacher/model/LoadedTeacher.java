package io.distillery.teacher.model;

import ai.djl.Model;
import io.distillery.proto.v1.TeacherCard;

/** A teacher model loaded on its engine, with the card that describes it. */
public final class LoadedTeacher implements AutoCloseable {

  private final TeacherCard card;
  private final Model model;

  LoadedTeacher(TeacherCard card, Model model) {
    this.card = card;
    this.model = model;
  }

  /** The card, with the artifact's sha256 and the engine filled in. */
  public TeacherCard card() {
    return card;
  }

  /** The engine's model; each batcher worker makes its own predictor from it. */
  public Model model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}
