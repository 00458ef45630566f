package io.distillery.drills.evaluator;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.initializer.NormalInitializer;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.nn.NetworkSpec;
import io.distillery.models.student.StudentModels;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.LossConfig;
import io.distillery.proto.v1.StudentSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Real student checkpoints written the way the trainer writes them ({@link CheckpointStore}, {@link
 * StudentModels}): untrained 784-64-10 MLPs, one initialisation per seed, so that their scores
 * differ. Whether a student is good does not matter to the drill; that each is a real checkpoint
 * the evaluator can load does.
 */
final class DrillCheckpoints {

  static final StudentSpec SPEC =
      StudentModels.withParameterCount(
          StudentModels.mlp(List.of(1L, 28L, 28L), List.of(64), 10, 0f), 50_890);

  private DrillCheckpoints() {}

  /** Writes checkpoint {@code step} of {@code job} with a student initialised from {@code seed}. */
  static Checkpoint write(Path root, String job, long step, int seed) throws Exception {
    NetworkSpec network = StudentModels.network(SPEC);
    Engine.getEngine(StudentModels.ENGINE).setRandomSeed(seed);
    try (Model model = Model.newInstance("student", StudentModels.ENGINE)) {
      model.setBlock(network.newBlock());
      model
          .getBlock()
          .setInitializer(new NormalInitializer(0.05f), ai.djl.nn.Parameter.Type.WEIGHT);
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, network.inputShape(1));
      CheckpointEvent manifest =
          CheckpointEvent.newBuilder()
              .setJobId(job)
              .setStep(step)
              .setSamplesSeen(step * 64)
              .setLoss(LossConfig.newBuilder().setDivergence("forward-kl").setAlpha(1f))
              .setStudent(SPEC)
              .setCreatedAtMs(System.currentTimeMillis())
              .build();
      return new CheckpointStore(root)
          .write(
              manifest,
              Map.of(
                  StudentModels.PARAMS_FILE,
                  out -> StudentModels.writeParameters(model.getBlock(), out)));
    }
  }

  /** A checkpoint whose parameters file is garbage, with a manifest that vouches for it. */
  static Checkpoint writeGarbage(Path root, String job, long step) throws Exception {
    CheckpointEvent manifest =
        CheckpointEvent.newBuilder()
            .setJobId(job)
            .setStep(step)
            .setStudent(SPEC)
            .setCreatedAtMs(System.currentTimeMillis())
            .build();
    return new CheckpointStore(root)
        .write(
            manifest,
            Map.of(StudentModels.PARAMS_FILE, out -> out.write("not parameters".getBytes())));
  }
}
