package io.distillery.cli.bench.watermark;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.loss.DistillationLoss;
import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.models.task.causallm.TokenInputs;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.StudentSpec;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny LM student (the platform's transformer family) trained in-process with DJL (PyTorch) for
 * the LM watermark experiment: on per-position soft labels with the platform's {@link
 * DistillationLoss}, or on the text's next tokens only. Every position but each window's last is a
 * training row (the last has no next token). Paired seeds: the seed fixes the initialisation and
 * the batch order.
 */
final class LmQuickStudent implements AutoCloseable {

  /** The soft labels of one window's positions, computed on demand (marked or clean). */
  @FunctionalInterface
  interface WindowLabels {
    List<SparseDistribution> of(int window);
  }

  private final NetworkSpec network;
  private final int vocab;
  private final Model model;
  private final Trainer trainer;
  private final int batchSize;
  private final SplittableRandom order;

  LmQuickStudent(StudentSpec spec, long seed, int batchSize, float learningRate) {
    this.network = StudentModels.network(spec);
    this.vocab = spec.getOutputSize();
    this.batchSize = batchSize;
    this.order = new SplittableRandom(seed);
    Engine.getEngine(StudentModels.ENGINE).setRandomSeed((int) seed);
    this.model = Model.newInstance("lm-watermark-student", Device.cpu(), StudentModels.ENGINE);
    model.setBlock(network.newBlock());
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.l2Loss()) // not used: each step computes its own loss
            .optOptimizer(
                Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build())
            .optDevices(new Device[] {Device.cpu()});
    this.trainer = model.newTrainer(config);
    trainer.initialize(network.inputShape(1));
  }

  /**
   * Trains for {@code steps} batches drawn from {@code windows}.
   *
   * @param windows equal-length token windows
   * @param soft soft labels per window, or null to learn the next tokens only
   * @param loss the loss settings
   */
  void train(List<int[]> windows, WindowLabels soft, LossSettings loss, int steps) {
    DistillationLoss distillation = new DistillationLoss(loss);
    int length = windows.get(0).length;
    int rowsPerWindow = length - 1;
    for (int step = 0; step < steps; step++) {
      long[] ids = new long[batchSize * length];
      long[] mask = new long[batchSize * length];
      long[] rows = new long[batchSize * rowsPerWindow];
      HardTargets.Builder hard = HardTargets.builder(vocab, rows.length);
      SoftTargets.Builder softBatch = soft == null ? null : SoftTargets.builder(vocab, rows.length);
      for (int b = 0; b < batchSize; b++) {
        int w = order.nextInt(windows.size());
        int[] window = windows.get(w);
        List<SparseDistribution> labels = soft == null ? null : soft.of(w);
        for (int t = 0; t < length; t++) {
          ids[b * length + t] = window[t];
          mask[b * length + t] = 1;
        }
        for (int t = 0; t < rowsPerWindow; t++) {
          rows[b * rowsPerWindow + t] = (long) b * length + t;
          hard.add(window[t + 1]);
          if (softBatch != null) {
            softBatch.add(labels.get(t));
          }
        }
      }
      TokenInputs inputs = new TokenInputs(ids, mask, batchSize, length, rows, vocab);
      try (NDManager manager = trainer.getManager().newSubManager()) {
        NDList labels =
            distillation.labels(
                manager,
                softBatch == null ? null : softBatch.build(),
                hard.build(),
                DataType.FLOAT32);
        try (GradientCollector collector = trainer.newGradientCollector()) {
          NDArray logits =
              inputs.outputRows(trainer.forward(inputs.toNDList(manager)).singletonOrThrow());
          collector.backward(distillation.terms(labels, logits).total());
        }
        trainer.step();
      }
    }
  }

  /** A runner over the trained student, for probing and scoring. */
  LmRunner runner() {
    return new LmRunner(model);
  }

  /** Writes the parameters as a checkpoint's {@code student.params} (what {@code detect} loads). */
  void writeParameters(java.io.OutputStream out) throws java.io.IOException {
    StudentModels.writeParameters(model.getBlock(), out);
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
