package io.distillery.teacherclient;

import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.teacherclient.metrics.CallRecord;
import io.distillery.teacherclient.outcome.TeacherUnavailableException;
import java.util.List;

/**
 * Checks the shape of a Label answer against its request: one entry per sample, and per sample one
 * position for a tensor input, or for a token input one per token: n positions for n prompt tokens,
 * or n + g when the teacher generated g ids (at most the {@code max_new_tokens} asked for). A
 * failing answer is malformed, which counts as an outage: another attempt, on this or another
 * replica, may answer well. What the distributions hold is the caller's to check.
 */
final class AnswerCheck {

  private AnswerCheck() {}

  static void check(LabelRequest request, LabelResponse response) {
    check(
        request.getRequestId(),
        request.getSamplesList(),
        request.hasGeneration() ? request.getGeneration().getMaxNewTokens() : 0,
        response);
  }

  static void check(
      String requestId, List<ModelInput> samples, int maxNew, LabelResponse response) {
    if (response.getSamplesCount() != samples.size()) {
      throw TeacherUnavailableException.malformed(
          CallRecord.LABEL,
          "teacher answered "
              + response.getSamplesCount()
              + " samples to request "
              + requestId
              + " of "
              + samples.size()
              + " samples; the response is unusable");
    }
    for (int i = 0; i < samples.size(); i++) {
      ModelInput input = samples.get(i);
      SampleLabels answer = response.getSamples(i);
      int positions = answer.getPositionsCount();
      int generated = answer.getGeneratedIdsCount();
      String problem;
      if (input.hasTokens()) {
        int tokens = input.getTokens().getIdsCount();
        if (generated > maxNew) {
          problem =
              generated + " generated ids where at most " + maxNew + " new tokens were asked for";
        } else if (positions != tokens + generated) {
          problem =
              positions
                  + " positions for "
                  + tokens
                  + " tokens and "
                  + generated
                  + " generated ids (expected one per token: "
                  + (tokens + generated)
                  + ")";
        } else {
          problem = null;
        }
      } else {
        problem = positions == 1 && generated == 0 ? null : positions + " positions";
      }
      if (problem != null) {
        throw TeacherUnavailableException.malformed(
            CallRecord.LABEL,
            "teacher answered "
                + problem
                + " for samples["
                + i
                + "] of request "
                + requestId
                + (input.hasTokens()
                    ? ""
                    : "; a tensor input has exactly 1 position and no generated ids"));
      }
    }
  }
}
