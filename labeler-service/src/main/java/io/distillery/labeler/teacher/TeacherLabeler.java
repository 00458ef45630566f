package io.distillery.labeler.teacher;

import com.google.protobuf.ByteString;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.ModelInput;
import io.distillery.teacherclient.LabelAnswer;
import io.distillery.teacherclient.outcome.TeacherRejectedException;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** Asks the teacher for the soft labels of a batch of samples. */
public interface TeacherLabeler {

  /**
   * Labels {@code samples} in one request.
   *
   * @return the labels, or a failure: {@link TeacherRejectedException} when the teacher refuses the
   *     input (retrying cannot help), {@link TeacherUnavailableException} when it cannot answer now
   */
  Uni<LabelAnswer> label(List<ModelInput> samples, int topK, float temperature);

  /**
   * Labels {@code samples} in one request, the teacher first continuing each as {@code generation}
   * says ({@code null}: label the samples only).
   */
  default Uni<LabelAnswer> label(
      List<ModelInput> samples, int topK, float temperature, GenerationSettings generation) {
    if (generation != null) {
      throw new UnsupportedOperationException("this teacher labeler cannot ask for generation");
    }
    return label(samples, topK, temperature);
  }

  /**
   * As {@link #label(List, int, float, GenerationSettings)}, with each sample also as its encoded
   * {@code ModelInput} ({@code encoded.get(i)} parses to {@code samples.get(i)}), which a labeler
   * may send as it is instead of serialising the sample again.
   */
  default Uni<LabelAnswer> label(
      List<ModelInput> samples,
      List<ByteString> encoded,
      int topK,
      float temperature,
      GenerationSettings generation) {
    return label(samples, topK, temperature, generation);
  }
}
