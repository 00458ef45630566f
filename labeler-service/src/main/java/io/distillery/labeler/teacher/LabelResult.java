package io.distillery.labeler.teacher;

import java.util.List;

/**
 * The answer to one Label request.
 *
 * @param samples one entry per requested sample, in request order
 * @param artifactSha256 sha256 of the artifact that produced the labels, as the teacher reports it
 */
public record LabelResult(List<SampleLabel> samples, String artifactSha256) {

  public LabelResult {
    samples = List.copyOf(samples);
  }
}
