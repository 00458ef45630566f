package io.distillery.labeler.labeling;

import com.google.protobuf.ByteString;
import io.distillery.labeler.gate.LabelingPlan;
import io.distillery.labeler.prompt.ValidPrompt;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.Task;
import io.distillery.teacherclient.SampleLabel;

/** Builds the self-contained soft-label event of one prompt. Pure logic. */
final class SoftLabelFactory {

  private final String defaultDataset;
  private final SparseCodec.Format format;

  SoftLabelFactory(String defaultDataset, SparseCodec.Format format) {
    this.defaultDataset = defaultDataset;
    this.format = format;
  }

  /**
   * The soft label of {@code prompt}.
   *
   * @throws IllegalArgumentException when the teacher's answer cannot be encoded (the message says
   *     which position and field)
   */
  SoftLabelEvent build(
      ValidPrompt prompt, SampleLabel label, LabelingPlan plan, long labelledAtMs) {
    PromptEvent event = prompt.event();
    int positions = label.positions().size();
    if (positions == 0) {
      throw new IllegalArgumentException(
          "the teacher returned no distribution for prompt '" + event.getId() + "'");
    }
    if (plan.teacher().task() == Task.TASK_CLASSIFICATION && positions != 1) {
      throw new IllegalArgumentException(
          "the teacher returned "
              + positions
              + " distributions for prompt '"
              + event.getId()
              + "'; a classifier has exactly 1");
    }
    if (plan.teacher().task() == Task.TASK_CAUSAL_LM && event.getInput().hasTokens()) {
      int expected = event.getInput().getTokens().getIdsCount() + label.generatedIds().size();
      if (positions != expected) {
        throw new IllegalArgumentException(
            "the teacher returned "
                + positions
                + " distributions for prompt '"
                + event.getId()
                + "' of "
                + event.getInput().getTokens().getIdsCount()
                + " tokens and "
                + label.generatedIds().size()
                + " generated ids; expected one per token: "
                + expected);
      }
    }
    SoftLabelEvent.Builder builder =
        SoftLabelEvent.newBuilder()
            .setPromptId(event.getId())
            .setDataset(event.getDataset().isBlank() ? defaultDataset : event.getDataset())
            .setInput(event.getInput())
            .setTeacher(plan.teacher().card())
            .setTopK(plan.topK())
            .setTemperature(plan.temperature())
            .setPositions(positions)
            .setDistributions(ByteString.copyFrom(SparseCodec.encode(label.positions(), format)))
            .setDistributionsFormat(format.number())
            .setSource(prompt.origin().source())
            .setForbiddenTeacherOverride(plan.forbiddenTeacherOverride())
            .setLabelledAtMs(labelledAtMs)
            .putAllAttributes(event.getAttributesMap());
    if (event.hasLabel()) {
      builder.setLabel(event.getLabel());
    }
    if (prompt.window() != null) {
      builder.setWindow(prompt.window());
    }
    builder.addAllGeneratedIds(label.generatedIds());
    if (event.hasLabelMix()) {
      builder.setLabelMix(event.getLabelMix());
    }
    return builder.build();
  }
}
