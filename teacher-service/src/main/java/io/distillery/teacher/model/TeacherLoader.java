package io.distillery.teacher.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads a teacher model directory (written by {@code TeacherTrainer}) on the configured DJL engine,
 * verifies every file against the sha256 in its card, and describes it as a {@code TeacherCard}.
 */
public final class TeacherLoader {

  static final String TENSOR_RT = "TensorRT";
  private static final List<String> ENGINES =
      List.of(TENSOR_RT, TeacherArtifacts.ONNX_RUNTIME, TeacherArtifacts.PYTORCH);

  private TeacherLoader() {}

  /**
   * Loads the model in {@code dir} on {@code engine}.
   *
   * @param maxBatchSize the request limit the card reports
   * @throws TeacherLoadException with a message naming the file, engine or setting to fix
   */
  public static LoadedTeacher load(String engine, Path dir, int maxBatchSize)
      throws TeacherLoadException {
    return load(engine, dir, maxBatchSize, 0, 0);
  }

  /**
   * Loads the model in {@code dir} on {@code engine}.
   *
   * @param maxBatchSize the request limit the card reports
   * @param onnxIntraOpThreads ONNX Runtime threads per forward pass, 0 for its default
   * @param maxTopK the largest top-k the card allows, 0 for the output size (also its upper bound)
   * @throws TeacherLoadException with a message naming the file, engine or setting to fix
   */
  public static LoadedTeacher load(
      String engine, Path dir, int maxBatchSize, int onnxIntraOpThreads, int maxTopK)
      throws TeacherLoadException {
    if (!ENGINES.contains(engine)) {
      throw new TeacherLoadException(
          "distillery.teacher.engine=" + engine + " is not one of " + String.join(", ", ENGINES));
    }
    TeacherCardFile file;
    try {
      file = TeacherArtifacts.checkFiles(dir);
    } catch (IOException e) {
      throw new TeacherLoadException(
          "model directory "
              + dir.toAbsolutePath()
              + " is not usable: "
              + e.getMessage()
              + " (set distillery.teacher.model-dir to a directory written by the teacher"
              + " training command)",
          e);
    }
    String artifact =
        TeacherArtifacts.PYTORCH.equals(engine)
            ? TeacherCardFile.FILE_PARAMS
            : TeacherCardFile.FILE_ONNX;
    TeacherCard card = describe(file, engine, file.file(artifact).sha256(), maxBatchSize, maxTopK);
    return new LoadedTeacher(card, loadModel(engine, dir, file, onnxIntraOpThreads), file, dir);
  }

  /** The wire form of a card file, as served by Describe and carried by every soft label. */
  static TeacherCard describe(
      TeacherCardFile file, String engine, String artifactSha256, int maxBatchSize, int maxTopK) {
    TeacherCard.Builder card =
        TeacherCard.newBuilder()
            .setModelId(file.id())
            .setVersion(file.version())
            .setArtifactSha256(artifactSha256)
            .setEngine(engine)
            .setTask(
                TeacherCardFile.TASK_CLASSIFICATION.equals(file.task())
                    ? Task.TASK_CLASSIFICATION
                    : Task.TASK_CAUSAL_LM)
            .addAllInputShape(file.inputShape() == null ? List.of() : file.inputShape())
            .setOutputSize(file.outputSize())
            .setLicenseSpdx(file.licenseSpdx())
            .setDistillation(
                TeacherCardFile.DISTILLATION_ALLOWED.equals(file.distillation())
                    ? DistillationPolicy.DISTILLATION_ALLOWED
                    : DistillationPolicy.DISTILLATION_FORBIDDEN)
            .setLimits(
                TeacherLimits.newBuilder()
                    .setMaxBatchSize(maxBatchSize)
                    .setMaxTopK(
                        maxTopK > 0 ? Math.min(maxTopK, file.outputSize()) : file.outputSize()))
            .setArchitecture(file.network());
    if (file.classNames() != null) {
      card.addAllClassNames(file.classNames());
    }
    if (file.training() != null) {
      card.putTrainingFacts("test_accuracy", Double.toString(file.training().testAccuracy()))
          .putTrainingFacts("test_errors", Integer.toString(file.training().testErrors()))
          .putTrainingFacts("epochs", Integer.toString(file.training().epochs()));
    }
    return card.build();
  }

  private static Model loadModel(
      String engine, Path dir, TeacherCardFile file, int onnxIntraOpThreads)
      throws TeacherLoadException {
    try {
      return switch (engine) {
        case TeacherArtifacts.PYTORCH -> TeacherArtifacts.loadPyTorch(dir);
        case TeacherArtifacts.ONNX_RUNTIME ->
            TeacherArtifacts.loadOnnx(
                dir, Map.of("sessionOptions", onnxSessionOptions(onnxIntraOpThreads)));
        default -> loadTensorRt(dir, file);
      };
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new TeacherLoadException(
          "engine " + engine + " could not load the model in " + dir + ": " + e.getMessage(), e);
    } catch (Error e) {
      // DJL reports a missing native library as an Error (ExceptionInInitializerError first,
      // NoClassDefFoundError after), not an exception: see NOTES.md.
      throw new TeacherLoadException(engineUnavailable(engine, e), e);
    }
  }

  /**
   * ONNX Runtime's thread pools spin between operators by default. A server whose forward passes
   * arrive every few milliseconds would burn a core spinning that gRPC and the batcher need.
   */
  private static OrtSession.SessionOptions onnxSessionOptions(int intraOpThreads) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime rejected a documented session option", e);
    }
    return options;
  }

  private static Model loadTensorRt(Path dir, TeacherCardFile file)
      throws IOException, MalformedModelException {
    Model model = Model.newInstance(file.id(), TENSOR_RT);
    try {
      model.load(dir, "model");
      return model;
    } catch (IOException | MalformedModelException | RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  private static String engineUnavailable(String engine, Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String fallback =
        TENSOR_RT.equals(engine)
            ? " TensorRT needs an NVIDIA GPU and TensorRT 8.x libraries (libnvinfer.so.8,"
                + " libnvonnxparser.so.8) on LD_LIBRARY_PATH. On a CPU node set"
                + " distillery.teacher.engine=OnnxRuntime, which loads the same model.onnx."
            : " Set distillery.teacher.engine to another engine (OnnxRuntime or PyTorch).";
    return "engine "
        + engine
        + " is not available on this machine: "
        + root.getClass().getSimpleName()
        + ": "
        + root.getMessage()
        + "."
        + fallback;
  }
}
