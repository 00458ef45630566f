package io.distillery.labeler.gate;

import io.distillery.labeler.config.LabelerConfig;
import io.distillery.labeler.config.LabelerConfig.ExpectedTask;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.Task;
import io.distillery.teacherclient.TeacherDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides whether the labeler may label with a teacher: its task and input shape must match the
 * configuration, its card must permit distillation (unless explicitly overridden), and the
 * configured top-k must fit its outputs. Pure logic, so it is tested without a teacher.
 */
public final class GatePolicy {

  private final ExpectedTask task;
  private final List<Long> inputShape;
  private final int topK;
  private final float temperature;
  private final int maxBatchSize;
  private final boolean allowForbiddenTeacher;
  private final String tokenizerSha256;
  private final GenerationSettings generation;

  /**
   * @throws IllegalArgumentException naming the setting when a value can never work
   */
  public GatePolicy(
      ExpectedTask task,
      List<Long> inputShape,
      int topK,
      float temperature,
      int maxBatchSize,
      boolean allowForbiddenTeacher) {
    this(task, inputShape, topK, temperature, maxBatchSize, allowForbiddenTeacher, null, null);
  }

  /**
   * @param tokenizerSha256 sha256 of the configured tokenizer.json, which must be the teacher's;
   *     {@code null} when none is configured
   * @param generation how the teacher continues prompts, {@code null} when it does not
   * @throws IllegalArgumentException naming the setting when a value can never work
   */
  public GatePolicy(
      ExpectedTask task,
      List<Long> inputShape,
      int topK,
      float temperature,
      int maxBatchSize,
      boolean allowForbiddenTeacher,
      String tokenizerSha256,
      GenerationSettings generation) {
    if (generation != null && generation.getMaxNewTokens() < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.generation.max-new-tokens must be >= 1 when generation is enabled,"
              + " was "
              + generation.getMaxNewTokens());
    }
    if (generation != null
        && !(generation.getSamplingTemperature() >= 0f
            && Float.isFinite(generation.getSamplingTemperature()))) {
      throw new IllegalArgumentException(
          "distillery.labeler.generation.sampling-temperature must be a finite number >= 0"
              + " (0 = greedy), was "
              + generation.getSamplingTemperature());
    }
    if (topK < 0) {
      throw new IllegalArgumentException(
          "distillery.labeler.top-k must be >= 0 (0 = all classes), was " + topK);
    }
    if (!(temperature > 0f) || !Float.isFinite(temperature)) {
      throw new IllegalArgumentException(
          "distillery.labeler.temperature must be a finite number > 0, was " + temperature);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException(
          "distillery.labeler.batch.max-size must be >= 1, was " + maxBatchSize);
    }
    this.task = task;
    this.inputShape = List.copyOf(inputShape);
    this.topK = topK;
    this.temperature = temperature;
    this.maxBatchSize = maxBatchSize;
    this.allowForbiddenTeacher = allowForbiddenTeacher;
    this.tokenizerSha256 = tokenizerSha256;
    this.generation = generation;
  }

  /**
   * The policy the configuration describes.
   *
   * @param tokenizerSha256 sha256 of the configured tokenizer, {@code null} when none is
   */
  public static GatePolicy from(LabelerConfig config, String tokenizerSha256) {
    LabelerConfig.Generation generation = config.generation();
    return new GatePolicy(
        config.teacher().task(),
        config.teacher().inputShape(),
        config.topK(),
        config.temperature(),
        config.batch().maxSize(),
        config.policy().allowForbiddenTeacher(),
        tokenizerSha256,
        generation.enabled()
            ? GenerationSettings.newBuilder()
                .setMaxNewTokens(generation.maxNewTokens())
                .setSamplingTemperature(generation.samplingTemperature())
                .setSeed(generation.seed())
                .build()
            : null);
  }

  /** Every problem with {@code teacher} at once, or the plan to label with it. */
  public GateDecision evaluate(TeacherDescription teacher) {
    List<String> problems = new ArrayList<>();
    String who = "teacher " + teacher.describe();
    Task expected = task == ExpectedTask.CAUSAL_LM ? Task.TASK_CAUSAL_LM : Task.TASK_CLASSIFICATION;
    if (teacher.task() != expected) {
      problems.add(
          who
              + " performs "
              + teacher.task()
              + " but distillery.labeler.teacher.task="
              + configValue(task));
    }
    if (expected == Task.TASK_CLASSIFICATION && !teacher.inputShape().equals(inputShape)) {
      problems.add(
          who
              + " takes input shape "
              + teacher.inputShape()
              + " but distillery.labeler.teacher.input-shape="
              + inputShape.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    int effectiveTopK = topK == 0 ? teacher.outputSize() : topK;
    if (teacher.outputSize() < 1) {
      problems.add(who + " states no output_size");
    } else if (topK > teacher.outputSize()) {
      problems.add(
          "distillery.labeler.top-k="
              + topK
              + " exceeds the output_size "
              + teacher.outputSize()
              + " of "
              + who);
    }
    if (teacher.maxTopK() > 0 && effectiveTopK > teacher.maxTopK()) {
      if (topK == 0) {
        effectiveTopK = teacher.maxTopK();
      } else {
        problems.add(
            "distillery.labeler.top-k="
                + topK
                + " exceeds limits.max_top_k "
                + teacher.maxTopK()
                + " of "
                + who);
      }
    }
    if (generation != null && expected != Task.TASK_CAUSAL_LM) {
      problems.add(
          "distillery.labeler.generation.enabled=true needs a causal-LM teacher"
              + " (distillery.labeler.teacher.task=causal-lm)");
    }
    if (generation != null
        && teacher.contextLength() > 0
        && generation.getMaxNewTokens() >= teacher.contextLength()) {
      problems.add(
          "distillery.labeler.generation.max-new-tokens="
              + generation.getMaxNewTokens()
              + " leaves no room for a prompt in the context of "
              + teacher.contextLength()
              + " tokens of "
              + who);
    }
    if (expected == Task.TASK_CAUSAL_LM && tokenizerSha256 != null) {
      if (teacher.tokenizerSha256().isEmpty()) {
        problems.add(
            who
                + " states no tokenizer_sha256, so the tokenizer of"
                + " distillery.labeler.text.tokenizer (sha256 "
                + tokenizerSha256
                + ") cannot be shown to be the teacher's");
      } else if (!teacher.tokenizerSha256().equalsIgnoreCase(tokenizerSha256)) {
        problems.add(
            "tokenizer mismatch: distillery.labeler.text.tokenizer has sha256 "
                + tokenizerSha256
                + " but "
                + who
                + " tokenizes with sha256 "
                + teacher.tokenizerSha256()
                + "; configure the teacher's own tokenizer.json");
      }
    }
    boolean override = teacher.distillation() != DistillationPolicy.DISTILLATION_ALLOWED;
    if (override && !allowForbiddenTeacher) {
      problems.add(
          who
              + (teacher.distillation() == DistillationPolicy.DISTILLATION_FORBIDDEN
                  ? " forbids distillation (DISTILLATION_FORBIDDEN)"
                  : " does not state that its licence permits distillation"
                      + " (DISTILLATION_POLICY_UNSPECIFIED, treated as forbidden)")
              + "; set distillery.labeler.policy.allow-forbidden-teacher=true to override"
              + " explicitly (every label then records the override)");
    }
    if (!problems.isEmpty()) {
      return new GateDecision.Blocked(String.join("; ", problems));
    }
    int batchSize =
        teacher.maxBatchSize() > 0 ? Math.min(maxBatchSize, teacher.maxBatchSize()) : maxBatchSize;
    return new GateDecision.Open(
        new LabelingPlan(teacher, effectiveTopK, temperature, batchSize, override, generation));
  }

  private static String configValue(ExpectedTask task) {
    return task == ExpectedTask.CAUSAL_LM ? "causal-lm" : "classification";
  }
}
