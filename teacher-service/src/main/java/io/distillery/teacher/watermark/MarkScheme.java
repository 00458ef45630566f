package io.distillery.teacher.watermark;

import io.distillery.models.teacher.TeacherCardFile;
import java.nio.file.Path;

/**
 * The owner's mark for one kind of served task, behind one interface: a classifier's samples are
 * marked one flattened input at a time, a language model's one token sequence at a time. A scheme
 * asked for the other kind fails with a message naming the key to make.
 */
interface MarkScheme {

  /** What the scheme marks, for messages: "classification" or "causal-lm". */
  String kind();

  /**
   * Checks at start-up that the key fits the served teacher of the same task (its sizes).
   *
   * @throws IllegalStateException naming the mismatch and the key to make
   */
  default void checkServes(TeacherCardFile card, Path keyFile) {}

  /** The signal's strength, for the start-up log. */
  double epsilon();

  /**
   * Marks one classifier sample.
   *
   * @param input the sample's flattened input
   * @param logits its logits (not changed)
   */
  Marked markSample(float[] input, float[] logits);

  /**
   * Marks one token sequence's next-token logits.
   *
   * @param ids the sequence
   * @param logits (length, vocab) row-major logits (not changed)
   */
  Marked markSequence(int[] ids, float[] logits);

  /**
   * Marked logits and their perturbation.
   *
   * @param logits the logits to encode
   * @param perturbation the largest change of any probability, {@code max |q̂ − q|}
   */
  record Marked(float[] logits, double perturbation) {}
}
