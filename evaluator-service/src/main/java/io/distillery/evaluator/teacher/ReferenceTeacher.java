package io.distillery.evaluator.teacher;

import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;

/** The remote teacher, as far as reference outputs go. */
public interface ReferenceTeacher {

  /**
   * The teacher being served now.
   *
   * @throws TeacherUnavailableException when it cannot be reached, after quick retries
   */
  TeacherInfo describe();

  /**
   * The teacher's full distributions (top-k = output size, T = 1) for a batch of images.
   *
   * @param teacher the teacher expected to answer (its artifact sha256 is checked)
   * @param images row-major (count, input shape...) pixels
   * @param count images in the batch
   * @return row-major (count, outputSize) natural-log probabilities
   * @throws TeacherUnavailableException when it cannot answer now, after quick retries, or a
   *     different artifact answered (the teacher was replaced meanwhile)
   * @throws TeacherRejectedException when it refuses the request or answers something unusable
   */
  float[] logProbs(TeacherInfo teacher, float[] images, int count);
}
