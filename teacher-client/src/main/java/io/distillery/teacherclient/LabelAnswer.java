package io.distillery.teacherclient;

import java.util.List;

/**
 * The teacher's answer to one {@link LabelCall}, reassembled in request order.
 *
 * @param samples one label per requested sample, same order
 * @param artifactSha256 sha256 of the model artifact that answered, as the teacher reports it
 */
public record LabelAnswer(List<SampleLabel> samples, String artifactSha256) {

  /** Copies the samples. */
  public LabelAnswer {
    samples = List.copyOf(samples);
  }
}
