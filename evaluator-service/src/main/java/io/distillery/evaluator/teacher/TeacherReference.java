package io.distillery.evaluator.teacher;

import io.distillery.proto.v1.TeacherCard;

/**
 * A teacher's outputs on the eval set: what every student is compared against.
 *
 * @param card the teacher's card
 * @param evalSetId id of the eval set
 * @param evalSetDigest sha256 of the eval set's images and labels
 * @param classes values per image
 * @param logProbs row-major (images, classes) natural-log probabilities at T = 1
 */
public record TeacherReference(
    TeacherCard card, String evalSetId, String evalSetDigest, int classes, float[] logProbs) {

  /** The teacher's artifact sha256. */
  public String artifactSha256() {
    return card.getArtifactSha256();
  }

  /** Number of images. */
  public int size() {
    return logProbs.length / classes;
  }
}
