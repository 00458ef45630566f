package io.distillery.labeler.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.config.LabelerConfig.ExpectedTask;
import io.distillery.labeler.support.Cards;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.Task;
import io.distillery.teacherclient.TeacherDescription;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compatibility and licence decision. Plain JUnit: it is a pure function of a teacher card and
 * settings; the Quarkus tests cover how its outcome drives readiness and consumption.
 */
class GatePolicyTest {

  private static final List<Long> FASHION_SHAPE = List.of(1L, 28L, 28L);

  private static GatePolicy policy(int topK, boolean allowForbidden) {
    return new GatePolicy(
        ExpectedTask.CLASSIFICATION, FASHION_SHAPE, topK, 1f, 256, allowForbidden);
  }

  private static TeacherDescription card(DistillationPolicy distillation) {
    return new TeacherDescription(Cards.fashion(distillation).build());
  }

  @Test
  void aCompatibleAllowedTeacherOpensWithAllClassesAndItsBatchLimit() {
    GateDecision decision = policy(0, false).evaluate(Cards.allowedFashion());

    LabelingPlan plan = assertInstanceOf(GateDecision.Open.class, decision).plan();
    assertEquals(10, plan.topK());
    assertEquals(1f, plan.temperature());
    assertEquals(8, plan.batchSize(), "the teacher's max_batch_size caps batch.max-size");
    assertFalse(plan.forbiddenTeacherOverride());
  }

  @Test
  void aForbiddingTeacherIsBlockedWithTheSettingThatWouldAllowIt() {
    String reason = blocked(policy(0, false), card(DistillationPolicy.DISTILLATION_FORBIDDEN));

    assertTrue(reason.contains("forbids distillation"), reason);
    assertTrue(reason.contains("distillery.labeler.policy.allow-forbidden-teacher=true"), reason);
  }

  @Test
  void anUnstatedPolicyIsTreatedAsForbidden() {
    String reason =
        blocked(policy(0, false), card(DistillationPolicy.DISTILLATION_POLICY_UNSPECIFIED));

    assertTrue(reason.contains("DISTILLATION_POLICY_UNSPECIFIED, treated as forbidden"), reason);
  }

  @Test
  void theExplicitOverrideOpensAndIsRecordedInThePlan() {
    GateDecision decision =
        policy(0, true).evaluate(card(DistillationPolicy.DISTILLATION_FORBIDDEN));

    assertTrue(
        assertInstanceOf(GateDecision.Open.class, decision).plan().forbiddenTeacherOverride());
  }

  @Test
  void aTaskOrShapeContradictionIsBlockedNamingTheSetting() {
    TeacherDescription lm =
        new TeacherDescription(
            Cards.fashion(DistillationPolicy.DISTILLATION_ALLOWED)
                .setTask(Task.TASK_CAUSAL_LM)
                .build());
    TeacherDescription cifar =
        new TeacherDescription(
            Cards.fashion(DistillationPolicy.DISTILLATION_ALLOWED)
                .clearInputShape()
                .addAllInputShape(List.of(3L, 32L, 32L))
                .build());

    assertTrue(
        blocked(policy(0, false), lm)
            .contains(
                "performs TASK_CAUSAL_LM but distillery.labeler.teacher.task=classification"));
    assertTrue(
        blocked(policy(0, false), cifar)
            .contains(
                "input shape [3, 32, 32] but distillery.labeler.teacher.input-shape=1,28,28"));
  }

  @Test
  void aTopKBeyondTheTeachersOutputsIsBlockedAndEveryProblemIsListed() {
    String reason = blocked(policy(20, false), card(DistillationPolicy.DISTILLATION_FORBIDDEN));

    assertTrue(reason.contains("distillery.labeler.top-k=20 exceeds the output_size 10"), reason);
    assertTrue(reason.contains("forbids distillation"), reason);
  }

  @Test
  void settingsThatCanNeverWorkFailAtStartNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new GatePolicy(ExpectedTask.CLASSIFICATION, FASHION_SHAPE, 0, 0f, 256, false));

    assertTrue(e.getMessage().contains("distillery.labeler.temperature"), e.getMessage());
  }

  private static String blocked(GatePolicy policy, TeacherDescription teacher) {
    return assertInstanceOf(GateDecision.Blocked.class, policy.evaluate(teacher)).reason();
  }
}
