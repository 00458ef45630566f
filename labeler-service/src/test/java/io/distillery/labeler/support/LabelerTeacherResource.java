package io.distillery.labeler.support;

import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.teacherclient.testing.BigramTeacher;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.distillery.teacherclient.testing.FakeTeacherResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The labeler's teacher for Quarkus tests: the shared {@link FakeTeacher} on a real socket,
 * labelling with {@link FakeTeacherModel} under the card {@code fake-fashion test-1}, rejecting a
 * first pixel of {@link #POISON} like the real teacher rejects bad input (INVALID_ARGUMENT naming
 * the field). Its card's licence comes from the test profile's {@code fake-teacher.distillation},
 * so a profile can make it a forbidding teacher before the start-up gate describes it.
 */
public class LabelerTeacherResource extends FakeTeacherResource {

  /** A first tensor value the fake refuses, so tests can make the teacher reject one prompt. */
  public static final float POISON = 4242f;

  /** Config key of a test profile naming the card's distillation policy. */
  public static final String DISTILLATION = "fake-teacher.distillation";

  @Override
  protected void configure(FakeTeacher teacher, String profile) throws Exception {
    DistillationPolicy distillation = DistillationPolicy.DISTILLATION_ALLOWED;
    Map<String, String> overrides = Map.of();
    if (!profile.isEmpty()) {
      QuarkusTestProfile settings =
          (QuarkusTestProfile)
              Class.forName(profile, true, Thread.currentThread().getContextClassLoader())
                  .getDeclaredConstructor()
                  .newInstance();
      overrides = settings.getConfigOverrides();
      String configured = overrides.get(DISTILLATION);
      if (configured != null) {
        distillation = DistillationPolicy.valueOf(configured);
      }
    }
    teacher
        .card(card(distillation))
        .answers(LabelerTeacherResource::answer)
        .rejectSamples(
            sample ->
                sample.getTensor().getValuesCount() > 0
                    && sample.getTensor().getValues(0) == POISON,
            "tensor.values[0]=" + POISON + " is out of range");
    if ("causal-lm".equals(overrides.get(TextProfiles.TASK))) {
      BigramTeacher.serve(
          teacher,
          TestTokenizer.VOCABULARY,
          TextProfiles.CONTEXT,
          overrides.get(TextProfiles.TOKENIZER_SHA),
          TestTokenizer.END_OF_TEXT);
    }
  }

  private static TeacherCard card(DistillationPolicy distillation) {
    return FakeTeacher.defaultCard().toBuilder()
        .setModelId("fake-fashion")
        .setVersion("test-1")
        .setLicenseSpdx(
            distillation == DistillationPolicy.DISTILLATION_ALLOWED
                ? "Apache-2.0"
                : "LicenseRef-NoDistillation")
        .setDistillation(distillation)
        .build();
  }

  private static List<SampleLabels> answer(LabelRequest request) {
    List<SampleLabels> out = new ArrayList<>();
    for (ModelInput sample : request.getSamplesList()) {
      float[] input = new float[sample.getTensor().getValuesCount()];
      for (int v = 0; v < input.length; v++) {
        input[v] = sample.getTensor().getValues(v);
      }
      out.add(
          SampleLabels.newBuilder()
              .addPositions(
                  FakeTeacherModel.label(input, request.getTopK(), request.getTemperature()))
              .build());
    }
    return out;
  }
}
