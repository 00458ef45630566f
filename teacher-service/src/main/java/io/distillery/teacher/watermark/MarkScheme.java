package io.distillery.teacher.watermark;

/**
 * The owner's mark for one kind of served task, behind one interface: a classifier's samples are
 * marked one flattened input at a time, a language model's one token sequence at a time. A scheme
 * asked for the other kind fails with a message naming the key to make.
 */
interface MarkScheme {

  /** What the scheme marks, for messages: "classification" or "causal-lm". */
  String kind();

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
