package io.distillery.cli.detect;

import ai.djl.Device;
import ai.djl.Model;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.nn.LogSoftmax;
import io.distillery.models.nn.ModelRunner;
import io.distillery.models.student.StudentModels;
import io.distillery.models.watermark.Suspect;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.Tensor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The kinds of suspect {@code distillery detect} can query, each an {@link AutoCloseable}. */
final class Suspects {

  private Suspects() {}

  /** A suspect and what to close after it. */
  record Opened(Suspect suspect, String description, AutoCloseable resources)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      resources.close();
    }
  }

  /** A Distillery checkpoint directory: the student rebuilt from its manifest on PyTorch. */
  static Opened checkpoint(Path dir) throws Exception {
    Checkpoint checkpoint = CheckpointStore.open(dir);
    var spec = checkpoint.manifest().getStudent();
    Model model;
    try (InputStream params = Files.newInputStream(checkpoint.file(StudentModels.PARAMS_FILE))) {
      model = StudentModels.load(spec, params);
    }
    long[] shape = StudentModels.network(spec).sampleShape();
    ModelRunner runner = new ModelRunner(model, shape);
    return new Opened(
        (inputs, count) -> probabilities(runner.forward(inputs, count), count),
        "checkpoint " + dir + " (" + spec.getArchitecture() + ")",
        model::close);
  }

  /** A teacher directory (teacher-card.json + DJL parameters) run on PyTorch. */
  static Opened teacher(Path dir, long[] sampleShape) throws Exception {
    Model model = io.distillery.models.teacher.TeacherArtifacts.loadPyTorch(dir);
    ModelRunner runner = new ModelRunner(model, sampleShape);
    return new Opened(
        (inputs, count) -> probabilities(runner.forward(inputs, count), count),
        "teacher " + dir,
        model::close);
  }

  /** An ONNX classifier file taking (N, 1, 28, 28) and returning logits or probabilities. */
  static Opened onnx(Path file, long[] sampleShape) throws Exception {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("ONNX file " + file + " does not exist");
    }
    Model model = Model.newInstance("suspect", Device.cpu(), "OnnxRuntime");
    String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
    model.load(file.toAbsolutePath().getParent(), name);
    ModelRunner runner = new ModelRunner(model, sampleShape);
    return new Opened(
        (inputs, count) -> probabilities(runner.forward(inputs, count), count),
        "ONNX model " + file,
        model::close);
  }

  /**
   * A black box behind the Teacher Label API (for instance a teacher-service serving the suspect):
   * outputs only, every class at T = 1.
   */
  static Opened grpc(String target, String bearer, int classes, long[] sampleShape) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    TeacherGrpc.TeacherBlockingStub stub = TeacherGrpc.newBlockingStub(channel);
    if (bearer != null) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearer);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    TeacherGrpc.TeacherBlockingStub caller = stub;
    List<Long> shape = java.util.Arrays.stream(sampleShape).boxed().toList();
    Suspect suspect =
        (inputs, count) -> {
          int per = inputs.length / count;
          float[] out = new float[count * classes];
          // 64 samples per call stays within a teacher's usual request limits.
          for (int start = 0; start < count; start += 64) {
            int m = Math.min(64, count - start);
            LabelRequest.Builder request =
                LabelRequest.newBuilder()
                    .setRequestId("detect-" + start)
                    .setTopK(classes)
                    .setTemperature(1f);
            for (int i = start; i < start + m; i++) {
              Tensor.Builder tensor = Tensor.newBuilder().addAllShape(shape);
              for (int j = 0; j < per; j++) {
                tensor.addValues(inputs[i * per + j]);
              }
              request.addSamples(ModelInput.newBuilder().setTensor(tensor));
            }
            LabelResponse response =
                caller.withDeadlineAfter(60, TimeUnit.SECONDS).label(request.build());
            for (int i = 0; i < m; i++) {
              SparseDistribution d = response.getSamples(i).getPositions(0);
              for (int e = 0; e < d.getIdsCount(); e++) {
                out[(start + i) * classes + d.getIds(e)] = (float) Math.exp(d.getLogProbs(e));
              }
            }
          }
          return out;
        };
    return new Opened(
        suspect,
        "Label API at " + target,
        () -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
  }

  /** Rows that already are distributions stay; anything else is taken as logits. */
  static float[] probabilities(float[] outputs, int count) {
    int classes = outputs.length / count;
    boolean distributions = true;
    for (int r = 0; r < count && distributions; r++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        float v = outputs[r * classes + c];
        distributions &= v >= 0 && v <= 1;
        sum += v;
      }
      distributions &= Math.abs(sum - 1) < 1e-3;
    }
    if (distributions) {
      return outputs;
    }
    float[] p = LogSoftmax.apply(outputs, classes, 1f);
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) Math.exp(p[i]);
    }
    return p;
  }
}
