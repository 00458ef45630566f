package io.distillery.cli.demo;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One trainer job of a demo run: a student family, a kind (hard, kd, kd-online, seqkd) and a seed,
 * and the trainer settings derived from them.
 */
public record DemoJob(StudentPlan student, JobKind kind, int seed) {

  /** e.g. {@code cnn-kd-s2}. */
  public String id() {
    return student.name() + "-" + kind.jobId(seed);
  }

  /** The trainer-service properties of this job. */
  public Map<String, String> trainerProperties(DemoSettings.Training training, Path checkpoints) {
    Map<String, String> properties = new HashMap<>();
    properties.put(
        "distillery.trainer.source",
        switch (kind) {
          case KD_ONLINE -> "online";
          case SEQKD -> "seqkd";
          default -> "offline";
        });
    properties.putAll(student.properties());
    properties.put("distillery.trainer.passes", Integer.toString(student.passes()));
    properties.put("distillery.trainer.batch-size", Integer.toString(training.batchSize()));
    properties.put("distillery.trainer.learning-rate", Float.toString(training.learningRate()));
    properties.put("distillery.trainer.seed", Integer.toString(seed));
    properties.put("distillery.trainer.loss.temperature", Float.toString(training.temperature()));
    properties.put(
        "distillery.trainer.loss.alpha",
        kind == JobKind.HARD || kind == JobKind.SEQKD ? "1.0" : Float.toString(training.alpha()));
    properties.put("distillery.trainer.checkpoint.dir", checkpoints.toString());
    properties.put(
        "distillery.trainer.checkpoint.interval-steps",
        Integer.toString(training.checkpointIntervalSteps()));
    properties.putAll(training.extra());
    return properties;
  }
}
