package io.distillery.evaluator.support;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.nn.Networks;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.LossConfig;
import io.distillery.proto.v1.StudentSpec;
import io.distillery.proto.v1.TeacherCard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Students trained briefly with DJL on real Fashion-MNIST and written as real checkpoints, the way
 * the trainer writes them ({@link CheckpointStore} + {@link StudentModels}).
 */
public final class Students {

  /** Images the evaluator scores in tests ({@code eval-set.limit}). */
  public static final int EVAL_IMAGES = 2000;

  private static final int BATCH = 64;
  private static LabeledImages train;
  private static LabeledImages evalImages;

  private Students() {}

  /**
   * A written checkpoint and what the test expects of it.
   *
   * @param checkpoint the checkpoint on disk
   * @param logProbs the student's log-probabilities on the eval images, computed in the test
   */
  public record Trained(Checkpoint checkpoint, float[] logProbs) {

    /** The event announcing it. */
    public CheckpointEvent event() {
      return checkpoint.event();
    }

    /** Misclassified eval images. */
    public int errors() {
      int[] predicted = LogSoftmax.argMax(logProbs, FashionMnist.NUM_CLASSES);
      int errors = 0;
      for (int i = 0; i < predicted.length; i++) {
        errors += predicted[i] == evalImages().labels()[i] ? 0 : 1;
      }
      return errors;
    }
  }

  /** The first {@value #EVAL_IMAGES} test images, as the evaluator sees them in tests. */
  public static synchronized LabeledImages evalImages() {
    if (evalImages == null) {
      try {
        evalImages = FashionMnist.test(FashionMnistLocator.locate()).head(EVAL_IMAGES);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return evalImages;
  }

  /**
   * Trains a 784-64-10 MLP on hard labels for {@code batches} steps and writes it as checkpoint
   * {@code step} of {@code job}.
   */
  public static Trained train(
      Path root, String job, long step, int batches, List<TeacherCard> teachers) throws Exception {
    return write(root, job, step, batches, teachers, null, List.of());
  }

  /** Like {@link #train} with the soft-label offsets the manifest says were consumed. */
  public static Trained train(
      Path root,
      String job,
      long step,
      int batches,
      List<TeacherCard> teachers,
      List<io.distillery.proto.v1.OffsetRange> consumed)
      throws Exception {
    return write(root, job, step, batches, teachers, null, consumed);
  }

  /**
   * Like {@link #train} but records {@code architecture} in the spec instead of the real one, to
   * make a checkpoint whose student cannot be rebuilt.
   */
  public static Trained trainWithArchitecture(
      Path root, String job, long step, List<TeacherCard> teachers, String architecture)
      throws Exception {
    return write(root, job, step, 2, teachers, architecture, List.of());
  }

  private static Trained write(
      Path root,
      String job,
      long step,
      int batches,
      List<TeacherCard> teachers,
      String architecture,
      List<io.distillery.proto.v1.OffsetRange> consumed)
      throws Exception {
    NetworkSpec network = Networks.fashionMlp(0f, 64);
    LabeledImages data = trainingImages();
    Engine.getEngine(StudentModels.ENGINE).setRandomSeed(7);
    try (Model model = Model.newInstance("student", Device.cpu(), StudentModels.ENGINE)) {
      model.setBlock(network.newBlock());
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
              .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
              .optDevices(new Device[] {Device.cpu()});
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(network.inputShape(BATCH));
        int per = data.sampleSize();
        for (int b = 0; b < batches; b++) {
          int start = (b * BATCH) % (data.size() - BATCH);
          float[] x = new float[BATCH * per];
          System.arraycopy(data.images(), start * per, x, 0, x.length);
          long[] y = new long[BATCH];
          for (int i = 0; i < BATCH; i++) {
            y[i] = data.labels()[start + i];
          }
          try (NDManager batch = trainer.getManager().newSubManager()) {
            NDArray input = batch.create(x, network.inputShape(BATCH));
            NDArray labels = batch.create(y);
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
              collector.backward(
                  trainer.getLoss().evaluate(new NDList(labels), new NDList(logits)));
            }
            trainer.step();
          }
        }
      }
      float[] logProbs =
          LogSoftmax.apply(
              new ModelRunner(model, network.sampleShape()).logits(evalImages(), 256),
              FashionMnist.NUM_CLASSES,
              1f);
      StudentSpec spec =
          StudentModels.withParameterCount(
              StudentModels.mlp(List.of(1L, 28L, 28L), List.of(64), 10, 0f), 50_890);
      if (architecture != null) {
        // An architecture this version cannot build: an unknown family.
        spec = spec.toBuilder().setFamily(architecture).setArchitecture(architecture).build();
      }
      CheckpointEvent manifest =
          CheckpointEvent.newBuilder()
              .setJobId(job)
              .setStep(step)
              .setSamplesSeen((long) batches * BATCH)
              .addAllTeachers(teachers)
              .addAllConsumed(consumed)
              .setLoss(LossConfig.newBuilder().setDivergence("forward-kl").setAlpha(1f))
              .setStudent(spec)
              .setCreatedAtMs(System.currentTimeMillis())
              .build();
      Checkpoint checkpoint =
          new CheckpointStore(root)
              .write(
                  manifest,
                  Map.of(
                      StudentModels.PARAMS_FILE,
                      out -> StudentModels.writeParameters(model.getBlock(), out)));
      return new Trained(checkpoint, logProbs);
    }
  }

  private static synchronized LabeledImages trainingImages() throws IOException {
    if (train == null) {
      train = FashionMnist.train(FashionMnistLocator.locate()).head(20_000);
    }
    return train;
  }
}
