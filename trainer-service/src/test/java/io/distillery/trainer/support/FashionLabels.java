package io.distillery.trainer.support;

import ai.djl.Model;
import io.distillery.models.data.FashionMnist;
import io.distillery.models.data.FashionMnistLocator;
import io.distillery.models.data.LabeledImages;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.nn.Networks;
import io.distillery.models.nn.TopK;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.teacher.TeacherTrainer;
import io.distillery.models.teacher.TeacherTrainingConfig;
import io.distillery.proto.codec.SparseCodec;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SoftLabelEvent;
import io.distillery.proto.v1.SourceRecord;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.Task;
import io.distillery.proto.v1.TeacherCard;
import io.distillery.proto.v1.TeacherLimits;
import io.distillery.proto.v1.Tensor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real Fashion-MNIST soft labels for tests and the benchmark: an MLP teacher (784-256-10) trained
 * for one short epoch by the models module's {@link TeacherTrainer}, whose top-3 log-probabilities
 * at T = 2 plus the tail label the first training images. The teacher is trained once per JVM (its
 * directory is shared through a system property, because Quarkus tests load this class again).
 */
public final class FashionLabels {

  /** Temperature of the labels (and the tests' jobs). */
  public static final float TEMPERATURE = 2f;

  /** Entries kept per label. */
  public static final int TOP_K = 3;

  /** Dataset name on the labels. */
  public static final String DATASET = "fashion-mnist/train";

  private static final String TEACHER_DIR_PROPERTY = "distillery.test.teacher-dir";
  private static Path teacherDir;
  private static LabeledImages train;
  private static LabeledImages test;

  private FashionLabels() {}

  /** The trained teacher's model directory. */
  public static synchronized Path teacherDir() throws Exception {
    if (teacherDir == null) {
      String shared = System.getProperty(TEACHER_DIR_PROPERTY);
      if (shared != null && Files.exists(Path.of(shared, TeacherCardFile.FILE_NAME))) {
        teacherDir = Path.of(shared);
      } else {
        Path dir = Files.createTempDirectory("trainer-test-teacher");
        TeacherTrainingConfig config =
            new TeacherTrainingConfig(
                Networks.fashionMlp(0f, 256),
                FashionMnistLocator.locate(),
                dir,
                1,
                128,
                1e-3f,
                1e-3f,
                1,
                0,
                150,
                FashionMnist.DEFAULT_VALIDATION_SIZE,
                FashionMnist.DEFAULT_SPLIT_SEED,
                "fixture-mlp",
                "test-1",
                "Apache-2.0");
        new TeacherTrainer(config, new PrintStream(PrintStream.nullOutputStream())).train();
        System.setProperty(TEACHER_DIR_PROPERTY, dir.toString());
        TempDirs.deleteOnExit(dir);
        teacherDir = dir;
      }
    }
    return teacherDir;
  }

  /** The Fashion-MNIST training images. */
  public static synchronized LabeledImages train() throws Exception {
    if (train == null) {
      train = FashionMnist.train(FashionMnistLocator.locate());
    }
    return train;
  }

  /** The Fashion-MNIST test images. */
  public static synchronized LabeledImages test() throws Exception {
    if (test == null) {
      test = FashionMnist.test(FashionMnistLocator.locate());
    }
    return test;
  }

  /** The teacher's card as it travels on soft labels. */
  public static TeacherCard card() throws Exception {
    TeacherCardFile file = TeacherCardFile.read(teacherDir());
    return TeacherCard.newBuilder()
        .setModelId(file.id())
        .setVersion(file.version())
        .setArtifactSha256(file.file(TeacherCardFile.FILE_PARAMS).sha256())
        .setEngine("PyTorch")
        .setTask(Task.TASK_CLASSIFICATION)
        .addAllInputShape(file.inputShape())
        .setOutputSize(file.outputSize())
        .setLicenseSpdx(file.licenseSpdx())
        .setDistillation(DistillationPolicy.DISTILLATION_ALLOWED)
        .setLimits(TeacherLimits.newBuilder().setMaxBatchSize(256).setMaxTopK(file.outputSize()))
        .addAllClassNames(file.classNames())
        .setArchitecture(file.network())
        .build();
  }

  /** Soft labels (top-3 at T = 2) of training images {@code [first, first + count)}, in order. */
  public static List<SoftLabelEvent> events(int first, int count) throws Exception {
    return events(first, count, TOP_K);
  }

  /** Soft labels keeping {@code topK} entries. */
  public static List<SoftLabelEvent> events(int first, int count, int topK) throws Exception {
    LabeledImages images = train();
    TeacherCard card = card();
    int per = images.sampleSize();
    float[] logits;
    try (Model model = TeacherArtifacts.loadPyTorch(teacherDir())) {
      float[] pixels = new float[count * per];
      System.arraycopy(images.images(), first * per, pixels, 0, pixels.length);
      logits = new ModelRunner(model, images.sampleShape()).forward(pixels, count);
    }
    List<SoftLabelEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int index = first + i;
      SparseDistribution distribution =
          TopK.of(
              logits, i * FashionMnist.NUM_CLASSES, FashionMnist.NUM_CLASSES, topK, TEMPERATURE);
      Tensor.Builder tensor = Tensor.newBuilder().addAllShape(FashionMnist.SAMPLE_SHAPE);
      for (int v = index * per; v < (index + 1) * per; v++) {
        tensor.addValues(images.images()[v]);
      }
      events.add(
          SoftLabelEvent.newBuilder()
              .setPromptId("train-" + index)
              .setDataset(DATASET)
              .setInput(ModelInput.newBuilder().setTensor(tensor))
              .setLabel(images.labels()[index])
              .setTeacher(card)
              .setTopK(topK)
              .setTemperature(TEMPERATURE)
              .setPositions(1)
              .setDistributions(
                  com.google.protobuf.ByteString.copyFrom(
                      SparseCodec.encode(List.of(distribution))))
              .setSource(SourceRecord.newBuilder().setTopic("distill.prompts").setOffset(index))
              .setLabelledAtMs(System.currentTimeMillis())
              .build());
    }
    return events;
  }

  /** A label whose teacher has 5 classes: the job's 10-class student must skip it. */
  public static SoftLabelEvent wrongOutputSize(SoftLabelEvent valid) {
    return valid.toBuilder()
        .setPromptId(valid.getPromptId() + "-five-classes")
        .setLabel(1)
        .setTeacher(valid.getTeacher().toBuilder().setOutputSize(5).setModelId("five-class"))
        .setDistributions(
            com.google.protobuf.ByteString.copyFrom(
                SparseCodec.encode(
                    List.of(
                        SparseDistribution.newBuilder()
                            .addIds(1)
                            .addLogProbs(-0.1f)
                            .setTailMass(0.1f)
                            .build()))))
        .build();
  }

  /** A label whose distribution bytes are cut short. */
  public static SoftLabelEvent truncatedDistribution(SoftLabelEvent valid) {
    byte[] bytes = valid.getDistributions().toByteArray();
    return valid.toBuilder()
        .setPromptId(valid.getPromptId() + "-truncated")
        .setDistributions(com.google.protobuf.ByteString.copyFrom(bytes, 0, bytes.length - 3))
        .build();
  }
}
