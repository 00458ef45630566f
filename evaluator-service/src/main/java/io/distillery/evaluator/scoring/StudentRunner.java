package io.distillery.evaluator.scoring;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.distillery.evaluator.EvaluationFailure;
import io.distillery.evaluator.config.EvaluatorConfig;
import io.distillery.evaluator.evalset.EvalSet;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.StudentSpec;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * Rebuilds a checkpoint's student on PyTorch and computes its log-probabilities on the eval set.
 * The model lives only for one call: checkpoints come one by one and each is scored once.
 */
// Started eagerly: a bad setting stops the process at start, not at the first checkpoint.
@Startup
@ApplicationScoped
public class StudentRunner {

  private final EvalSet evalSet;
  private final int batchSize;

  public StudentRunner(EvalSet evalSet, EvaluatorConfig config) {
    this.evalSet = evalSet;
    this.batchSize = config.evalSet().batchSize();
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "distillery.evaluator.eval-set.batch-size must be >= 1, got " + batchSize);
    }
  }

  /**
   * The student's log-probabilities at T = 1 on every eval-set image.
   *
   * @param checkpoint a verified checkpoint
   * @return row-major (images, classes) natural-log probabilities
   * @throws EvaluationFailure when the student cannot be rebuilt or run, with the reason
   */
  public float[] logProbs(Checkpoint checkpoint) throws EvaluationFailure {
    StudentSpec spec = checkpoint.manifest().getStudent();
    NetworkSpec network = network(spec);
    if (checkpoint.manifest().getFilesList().stream()
        .noneMatch(file -> file.getPath().equals(StudentModels.PARAMS_FILE))) {
      throw new EvaluationFailure(
          EvaluationFailure.MISSING_PARAMS,
          "the manifest of " + checkpoint.dir() + " lists no " + StudentModels.PARAMS_FILE);
    }
    float[] logits;
    try (InputStream in = Files.newInputStream(checkpoint.file(StudentModels.PARAMS_FILE));
        Model model = StudentModels.load(spec, in)) {
      logits = run(model, network);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new EvaluationFailure(
          EvaluationFailure.UNLOADABLE_PARAMETERS,
          checkpoint.file(StudentModels.PARAMS_FILE)
              + " does not load into "
              + network.name()
              + ": "
              + e.getMessage(),
          e);
    }
    float[] logProbs = LogSoftmax.apply(logits, evalSet.classes(), 1f);
    for (int i = 0; i < logProbs.length; i++) {
      if (!Float.isFinite(logProbs[i])) {
        throw new EvaluationFailure(
            EvaluationFailure.NON_FINITE_OUTPUT,
            "student of "
                + checkpoint.dir()
                + " gives log-probability "
                + logProbs[i]
                + " for image "
                + i / evalSet.classes());
      }
    }
    return logProbs;
  }

  /**
   * The student's network rebuilt from its spec alone (every task's evaluation starts here).
   *
   * @throws EvaluationFailure {@code unknown-architecture} when the spec names no known network
   */
  public static NetworkSpec rebuild(StudentSpec spec) throws EvaluationFailure {
    try {
      return StudentModels.network(spec);
    } catch (IllegalArgumentException e) {
      throw new EvaluationFailure(
          EvaluationFailure.UNKNOWN_ARCHITECTURE,
          "student.architecture '" + spec.getArchitecture() + "': " + e.getMessage(),
          e);
    }
  }

  private NetworkSpec network(StudentSpec spec) throws EvaluationFailure {
    NetworkSpec network = rebuild(spec);
    if (!evalSet.fitsInputShape(network.sampleShape())) {
      throw new EvaluationFailure(
          EvaluationFailure.INCOMPATIBLE_STUDENT,
          "student "
              + network.name()
              + " takes inputs of shape "
              + Arrays.toString(network.sampleShape())
              + " but eval set "
              + evalSet.id()
              + " has "
              + Arrays.toString(evalSet.sampleShape()));
    }
    if (network.outputSize() != evalSet.classes()) {
      throw new EvaluationFailure(
          EvaluationFailure.INCOMPATIBLE_STUDENT,
          "student "
              + network.name()
              + " has "
              + network.outputSize()
              + " outputs but eval set "
              + evalSet.id()
              + " has "
              + evalSet.classes()
              + " classes");
    }
    return network;
  }

  private float[] run(Model model, NetworkSpec network) throws EvaluationFailure {
    try {
      return new ModelRunner(model, network.sampleShape()).logits(evalSet.data(), batchSize);
    } catch (RuntimeException e) {
      throw new EvaluationFailure(
          EvaluationFailure.INFERENCE_ERROR,
          "running " + network.name() + " failed: " + e.getMessage(),
          e);
    }
  }
}
