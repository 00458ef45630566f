package io.distillery.evaluator.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Gives the evaluator the tiny LM teacher's directory and the held-out Persuasion excerpt. */
public class TinyLmResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    return Map.of(
        "distillery.evaluator.lm.teacher-dir", TinyLm.teacherDir().toString(),
        "distillery.evaluator.lm.held-out-file", TinyLm.heldOutFile().toString(),
        "distillery.evaluator.lm.continuation-tokens", "6");
  }

  @Override
  public void stop() {}
}
