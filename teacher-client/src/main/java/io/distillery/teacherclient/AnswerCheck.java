package io.distillery.teacherclient;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;

/**
 * Checks the shape of a Label answer against its request: one entry per sample, and per sample one
 * position for a tensor input or one per token (at most the prompt plus the tokens it may generate)
 * for a token input. A failing answer is malformed, which counts as an outage: another attempt, on
 * this or another replica, may answer well. What the distributions hold is the caller's to check.
 */
final class AnswerCheck {

  private AnswerCheck() {}

  static void check(LabelRequest request, LabelResponse response) {
    if (response.getSamplesCount() != request.getSamplesCount()) {
      throw TeacherUnavailableException.malformed(
          CallRecord.LABEL,
          "teacher answered "
              + response.getSamplesCount()
              + " samples to request "
              + request.getRequestId()
              + " of "
              + request.getSamplesCount()
              + " samples; the response is unusable");
    }
    int maxNew = request.hasGeneration() ? request.getGeneration().getMaxNewTokens() : 0;
    for (int i = 0; i < request.getSamplesCount(); i++) {
      ModelInput input = request.getSamples(i);
      SampleLabels answer = response.getSamples(i);
      int positions = answer.getPositionsCount();
      boolean fits =
          input.hasTokens()
              ? positions >= 1 && positions <= input.getTokens().getIdsCount() + maxNew
              : positions == 1;
      if (!fits) {
        throw TeacherUnavailableException.malformed(
            CallRecord.LABEL,
            "teacher answered "
                + positions
                + " positions for samples["
                + i
                + "] of request "
                + request.getRequestId()
                + (input.hasTokens()
                    ? " (" + input.getTokens().getIdsCount() + " tokens)"
                    : "; a tensor input has exactly 1"));
      }
    }
  }
}
