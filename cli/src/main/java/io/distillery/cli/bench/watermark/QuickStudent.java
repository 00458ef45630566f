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
import io.distillery.models.data.LabeledImages;
import io.distillery.models.loss.DistillationLoss;
import io.distillery.models.loss.Divergence;
import io.distillery.models.loss.HardTargets;
import io.distillery.models.loss.LossSettings;
import io.distillery.models.loss.SoftTargets;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.proto.v1.SparseDistribution;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small student trained in-process with DJL (PyTorch) for the watermark experiment: a network
 * trained on soft labels with the platform's {@link DistillationLoss} (or on hard labels only),
 * optionally fine-tuned afterwards on other images' hard labels. Paired seeds: the seed fixes the
 * initialisation and the batch order.
 */
public final class QuickStudent implements AutoCloseable {

  static final String ENGINE = "PyTorch";
  private static final int CLASSES = 10;

  private final NetworkSpec network;
  private final Model model;
  private final Trainer trainer;
  private final int batchSize;
  private final SplittableRandom order;

  public QuickStudent(NetworkSpec network, long seed, int batchSize, float learningRate) {
    this.network = network;
    this.batchSize = batchSize;
    this.order = new SplittableRandom(seed);
    Engine.getEngine(ENGINE).setRandomSeed((int) seed);
    this.model = Model.newInstance("watermark-student", Device.cpu(), ENGINE);
    model.setBlock(network.newBlock());
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.l2Loss()) // not used: each phase computes its own loss
            .optOptimizer(
                Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build())
            .optDevices(new Device[] {Device.cpu()});
    this.trainer = model.newTrainer(config);
    trainer.initialize(network.inputShape(batchSize));
  }

  /**
   * Trains for {@code epochs} over {@code data}.
   *
   * @param soft one teacher distribution per image, or null to learn the hard labels only
   * @param loss the loss settings (alpha 1 with {@code soft == null})
   */
  public void train(
      LabeledImages data, List<SparseDistribution> soft, LossSettings loss, int epochs) {
    DistillationLoss distillation = new DistillationLoss(loss);
    int per = data.sampleSize();
    int n = data.size();
    for (int epoch = 0; epoch < epochs; epoch++) {
      int[] perm = permutation(n);
      for (int start = 0; start + batchSize <= n; start += batchSize) {
        float[] x = new float[batchSize * per];
        HardTargets.Builder hard = HardTargets.builder(CLASSES, batchSize);
        SoftTargets.Builder softBatch =
            soft == null ? null : SoftTargets.builder(CLASSES, batchSize);
        for (int i = 0; i < batchSize; i++) {
          int image = perm[start + i];
          System.arraycopy(data.images(), image * per, x, i * per, per);
          hard.add(data.labels()[image]);
          if (softBatch != null) {
            softBatch.add(soft.get(image));
          }
        }
        try (NDManager manager = trainer.getManager().newSubManager()) {
          NDArray input = manager.create(x, network.inputShape(batchSize));
          NDList labels =
              distillation.labels(
                  manager,
                  softBatch == null ? null : softBatch.build(),
                  hard.build(),
                  DataType.FLOAT32);
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
            collector.backward(distillation.terms(labels, logits).total());
          }
          trainer.step();
        }
      }
    }
  }

  /** Hard labels only, at T = 1. */
  public static LossSettings hardOnly() {
    return LossSettings.of(Divergence.FORWARD_KL, 1f, 1f);
  }

  /** The student's logits for every image. */
  public float[] logits(LabeledImages data) {
    return new ModelRunner(model, network.sampleShape()).logits(data, 256);
  }

  /** The student's logits for flattened inputs. */
  float[] logits(float[] inputs, int count) {
    ModelRunner runner = new ModelRunner(model, network.sampleShape());
    int per = inputs.length / Math.max(1, count);
    float[] out = new float[count * CLASSES];
    for (int start = 0; start < count; start += 256) {
      int m = Math.min(256, count - start);
      float[] batch = new float[m * per];
      System.arraycopy(inputs, start * per, batch, 0, batch.length);
      System.arraycopy(runner.forward(batch, m), 0, out, start * CLASSES, m * CLASSES);
    }
    return out;
  }

  /**
   * Writes the trained parameters as a Distillery checkpoint's {@code student.params} ({@link
   * io.distillery.models.student.StudentModels#writeParameters}).
   */
  public void writeParameters(java.io.OutputStream out) throws java.io.IOException {
    io.distillery.models.student.StudentModels.writeParameters(model.getBlock(), out);
  }

  private int[] permutation(int n) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = order.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
