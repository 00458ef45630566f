package io.distillery.evaluator.support;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.digest.Sha256;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import io.distillery.teacherclient.testing.FakeTeacher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The real {@link TinyTeacher} on ONNX Runtime behind the shared {@link FakeTeacher}: what the fake
 * answers, and the log-probabilities tests expect. Loaded once per class loader.
 */
public final class TinyTeacherModel {

  /** Largest batch the fake accepts, smaller than the evaluator's request size. */
  public static final int MAX_BATCH_SIZE = 128;

  private static TinyTeacherModel instance;

  private final ModelRunner runner;
  private final String sha256;

  private TinyTeacherModel() throws Exception {
    Model model = TeacherArtifacts.loadOnnx(TinyTeacher.modelDir(), Map.of());
    this.runner = new ModelRunner(model, new long[] {1, 28, 28});
    this.sha256 = Sha256.file(TinyTeacher.modelDir().resolve(TeacherArtifacts.ONNX_FILE));
  }

  /** The model, loaded on first use (the JVM ends its life with the tests). */
  public static synchronized TinyTeacherModel get() {
    if (instance == null) {
      try {
        instance = new TinyTeacherModel();
      } catch (Exception e) {
        throw new IllegalStateException("cannot load the tiny teacher", e);
      }
    }
    return instance;
  }

  /** Makes {@code teacher} a healthy server of the tiny teacher; its counts go on. */
  public static FakeTeacher serve(FakeTeacher teacher) {
    TinyTeacherModel model = get();
    return teacher.failWith(null).card(model.card()).answers(model::answer);
  }

  /** sha256 of the tiny teacher's model.onnx. */
  public static String realSha256() {
    return get().sha256;
  }

  /** The teacher's log-probabilities at T = 1 for images, computed locally, for expected values. */
  public static float[] logProbs(float[] pixels, int count) {
    return LogSoftmax.apply(get().runner.forward(pixels, count), FashionMnist.NUM_CLASSES, 1f);
  }

  private TeacherCard card() {
    return TeacherCard.newBuilder()
        .setModelId("tiny-teacher")
        .setVersion("test-1")
        .setArtifactSha256(sha256)
        .setEngine(TeacherArtifacts.ONNX_RUNTIME)
        .setTask(Task.TASK_CLASSIFICATION)
        .addAllInputShape(List.of(1L, 28L, 28L))
        .setOutputSize(FashionMnist.NUM_CLASSES)
        .setLicenseSpdx("Apache-2.0")
        .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
        .setLimits(
            TeacherLimits.newBuilder()
                .setMaxBatchSize(MAX_BATCH_SIZE)
                .setMaxTopK(FashionMnist.NUM_CLASSES))
        .addAllClassNames(FashionMnist.CLASS_NAMES)
        .setArchitecture("mlp-784-128-10")
        .build();
  }

  private List<SampleLabels> answer(LabelRequest request) {
    int count = request.getSamplesCount();
    float[] pixels = new float[count * 784];
    for (int i = 0; i < count; i++) {
      for (int v = 0; v < 784; v++) {
        pixels[i * 784 + v] = request.getSamples(i).getTensor().getValues(v);
      }
    }
    float[] logProbs =
        LogSoftmax.apply(
            runner.forward(pixels, count), FashionMnist.NUM_CLASSES, request.getTemperature());
    List<SampleLabels> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(SampleLabels.newBuilder().addPositions(topK(logProbs, i, request.getTopK())).build());
    }
    return out;
  }

  private static SparseDistribution topK(float[] logProbs, int sample, int k) {
    int classes = FashionMnist.NUM_CLASSES;
    int[] order =
        IntStream.range(0, classes)
            .boxed()
            .sorted(Comparator.comparingDouble(c -> -logProbs[sample * classes + c]))
            .mapToInt(Integer::intValue)
            .toArray();
    SparseDistribution.Builder d = SparseDistribution.newBuilder();
    double kept = 0;
    for (int j = 0; j < k; j++) {
      float value = logProbs[sample * classes + order[j]];
      d.addIds(order[j]).addLogProbs(value);
      kept += Math.exp(value);
    }
    return d.setTailMass(k == classes ? 0f : (float) Math.max(0, 1 - kept)).build();
  }
}
