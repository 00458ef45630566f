package io.distillery.teacher.model;

import ai.djl.Model;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacher.batching.BatchRunner;

/** A teacher model loaded on its engine, with the card that describes it. */
public final class LoadedTeacher implements AutoCloseable {

  private final TeacherCard card;
  private final Model model;
  private final long[] sampleShape;
  private final int sampleSize;

  LoadedTeacher(TeacherCard card, Model model) {
    this.card = card;
    this.model = model;
    this.sampleShape = card.getInputShapeList().stream().mapToLong(Long::longValue).toArray();
    int size = 1;
    for (long dim : sampleShape) {
      size *= (int) dim;
    }
    this.sampleSize = size;
  }

  /** The card, with the artifact's sha256 and the engine filled in. */
  public TeacherCard card() {
    return card;
  }

  /** Values per input sample. */
  public int sampleSize() {
    return sampleSize;
  }

  /** A forward-pass runner with its own predictor, for one batcher worker. */
  public BatchRunner<float[], float[]> newRunner() {
    return new PredictorRunner(
        model.newPredictor(new LogitsTranslator(sampleShape)), sampleSize, card.getOutputSize());
  }

  @Override
  public void close() {
    model.close();
  }
}
