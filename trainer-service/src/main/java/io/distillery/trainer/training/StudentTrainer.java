package io.distillery.trainer.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.distillery.models.loss.DistillationLoss;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.optim.ResumableAdam;
import io.distillery.models.student.StudentModels;
import io.distillery.models.task.TrainingBatch;
import io.distillery.trainer.job.OptimizerKind;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.jboss.logging.Logger;

/**
 * A student being trained on DJL's PyTorch engine: network, optimizer and distillation loss. Each
 * step runs in its own short-lived {@link NDManager}, so native memory stays flat (NOTES.md).
 * Confined to one thread (PyTorch's grad mode is per thread).
 */
public final class StudentTrainer implements AutoCloseable {

  // Engine.setRandomSeed is global: two jobs in one JVM must not interleave seeding and init.
  private static final Object INIT_LOCK = new Object();
  // DJL's PyTorch GradientCollector is process-wide ("only one can be collecting at a time"): jobs
  // sharing a JVM (tests, the benchmark) take turns per step. A service runs one job: no
  // contention.
  private static final Object STEP_LOCK = new Object();

  private final NetworkSpec network;
  private final Model model;
  private final Trainer trainer;
  private static final Logger LOG = Logger.getLogger(StudentTrainer.class);

  private final DistillationLoss loss;
  private final GradientGuard gradientGuard;
  private long stepsSkipped;
  private final ResumableAdam adam;
  // The rate of the next step: set by step(batch, rate), read by the optimizer's tracker.
  private volatile float learningRate;

  /**
   * Builds the student, fresh or from a checkpoint.
   *
   * @param network the student network
   * @param settings the loss
   * @param optimizer adam or sgd
   * @param learningRate the learning rate of steps taken with {@link #step(LabeledBatch)}; {@link
   *     #step(LabeledBatch, float)} sets it per step (a {@link LearningRateSchedule})
   * @param seed initialisation seed (fresh students only)
   * @param parameters saved parameters to continue from, or null for a fresh student
   * @param optimizerState saved Adam state, or null
   * @throws MalformedModelException when saved parameters or state do not fit the network
   */
  public StudentTrainer(
      NetworkSpec network,
      LossSettings settings,
      OptimizerKind optimizer,
      float learningRate,
      int seed,
      byte[] parameters,
      byte[] optimizerState)
      throws IOException, MalformedModelException {
    this.network = network;
    this.loss = new DistillationLoss(settings);
    this.gradientGuard = GradientGuard.forLoss(settings);
    this.learningRate = learningRate;
    Tracker current = updates -> this.learningRate;
    this.adam =
        optimizer == OptimizerKind.ADAM
            ? ResumableAdam.builder()
                .learningRate(learningRate)
                .learningRateTracker(current)
                .build()
            : null;
    Optimizer chosen =
        adam != null ? adam : Optimizer.sgd().setLearningRateTracker(current).build();
    this.model = Model.newInstance("student-" + network.name(), Device.cpu(), StudentModels.ENGINE);
    try {
      model.setBlock(network.newBlock());
      synchronized (INIT_LOCK) {
        if (parameters != null) {
          // Before the trainer exists: Trainer.initialize caches the parameter arrays it finds.
          model
              .getBlock()
              .loadParameters(
                  model.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameters)));
        } else {
          Engine.getEngine(StudentModels.ENGINE).setRandomSeed(seed);
        }
        this.trainer =
            model.newTrainer(
                new DefaultTrainingConfig(loss)
                    .optOptimizer(chosen)
                    .optDevices(new Device[] {Device.cpu()}));
        trainer.initialize(network.inputShape(1));
      }
      if (adam != null) {
        adam.bind(model.getBlock());
        if (optimizerState != null) {
          adam.restore(model.getBlock(), new ByteArrayInputStream(optimizerState));
        }
      }
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The network being trained. */
  public NetworkSpec network() {
    return network;
  }

  /** One optimizer step on a batch, at the current learning rate. */
  public StepResult step(LabeledBatch batch) {
    synchronized (STEP_LOCK) {
      return stepAlone(batch);
    }
  }

  /**
   * One optimizer step on a batch at {@code rate}, which stays the current learning rate.
   *
   * @param rate the learning rate of this step, ≥ 0 (e.g. {@link LearningRateSchedule#at})
   */
  public StepResult step(LabeledBatch batch, float rate) {
    if (!(rate >= 0) || Float.isInfinite(rate)) {
      throw new IllegalArgumentException("learning rate must be >= 0, got " + rate);
    }
    synchronized (STEP_LOCK) {
      this.learningRate = rate;
      return stepAlone(batch);
    }
  }

  /** The learning rate of the latest (or next) step. */
  public float learningRate() {
    return learningRate;
  }

  private StepResult stepAlone(LabeledBatch batch) {
    zeroGradients();
    try (NDManager manager = trainer.getManager().newSubManager()) {
      TrainingBatch data = batch.batch();
      // Native copies (StudentInputs): the first layer's backward reads the input.
      NDList input = data.inputs().toNDList(manager);
      NDList labels = loss.labels(manager, data.soft(), data.hard(), DataType.FLOAT32);
      DistillationLoss.Terms terms;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = data.inputs().outputRows(trainer.forward(input).singletonOrThrow());
        terms = loss.terms(labels, logits);
        collector.backward(terms.total());
      }
      GradientGuard.GradientCheck check = gradientGuard.check(model.getBlock());
      if (!check.passed()) {
        // Impossible for a correct batch: drop the update rather than let one corrupt gradient
        // inflate Adam's second moments (which freezes the student) or turn the weights to NaN.
        stepsSkipped++;
        LOG.errorf("dropped an update: %s (%d so far)", check.reason(), stepsSkipped);
        zeroGradients();
        return new StepResult(
            terms.total().getFloat(), terms.hard().getFloat(), terms.soft().getFloat(), false);
      }
      trainer.step();
      return new StepResult(
          terms.total().getFloat(), terms.hard().getFloat(), terms.soft().getFloat());
    }
  }

  /** Updates dropped because their gradient was impossible for a correct batch. */
  public long stepsSkipped() {
    return stepsSkipped;
  }

  /**
   * Sets every parameter's gradient to zero. DJL's PyTorch gradient collector no longer does this
   * (disabled upstream for speed): gradients accumulate across backward passes and are cleared only
   * as a side effect of the optimizer's fused update. A step must never add to stale gradients, so
   * they are cleared explicitly; it costs one pass over the parameters.
   */
  private void zeroGradients() {
    for (Pair<String, Parameter> parameter : model.getBlock().getParameters()) {
      NDArray weight = parameter.getValue().getArray();
      if (weight.hasGradient()) {
        // A real zero (grad().zero_()): subtracting the gradient from itself keeps a NaN a NaN.
        JniUtils.zeroGrad((PtNDArray) weight);
      }
    }
  }

  /** Number of trainable values. */
  public long parameterCount() {
    long count = 0;
    for (Pair<String, Parameter> parameter : model.getBlock().getParameters()) {
      count += parameter.getValue().getArray().size();
    }
    return count;
  }

  /** Writes the parameters in DJL's format ({@value StudentModels#PARAMS_FILE}). */
  public void writeParameters(OutputStream out) throws IOException {
    StudentModels.writeParameters(model.getBlock(), out);
  }

  /** Whether the optimizer has state worth saving. */
  public boolean hasOptimizerState() {
    return adam != null;
  }

  /** Writes the optimizer state (Adam's moments and step counts). */
  public void writeOptimizerState(OutputStream out) throws IOException {
    if (adam == null) {
      throw new IllegalStateException("SGD has no state to save");
    }
    adam.save(out);
  }

  /** The underlying model, for evaluation in the same thread. */
  public Model model() {
    return model;
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
