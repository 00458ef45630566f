package io.distillery.cli.detect;

import ai.djl.Model;
import io.distillery.models.checkpoint.Checkpoint;
import io.distillery.models.checkpoint.CheckpointStore;
import io.distillery.models.lm.LmRunner;
import io.distillery.models.student.StudentModels;
import io.distillery.models.teacher.TeacherArtifacts;
import io.distillery.models.teacher.TeacherCardFile;
import io.distillery.models.watermark.lm.LmSuspect;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SampleLabels;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.TokenSequence;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kinds of language model {@code distillery detect} can query with an LM key: a Distillery LM
 * student's checkpoint, a model directory in the teacher's layout (ONNX), or a Label API serving an
 * LM (black box: token prompts in, top-k next-token distributions out).
 */
final class LmSuspects {

  private LmSuspects() {}

  /** A suspect, its vocabulary, and what to close after it. */
  record Opened(LmSuspect suspect, int vocabSize, String description, AutoCloseable resources)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      resources.close();
    }
  }

  /** A Distillery LM student checkpoint, rebuilt from its manifest on PyTorch. */
  static Opened checkpoint(Path dir) throws Exception {
    Checkpoint checkpoint = CheckpointStore.open(dir);
    var spec = checkpoint.manifest().getStudent();
    if (StudentModels.network(spec).decoder().isEmpty()) {
      throw new IllegalArgumentException(
          "checkpoint " + dir + " holds " + spec.getArchitecture() + ", not a language model");
    }
    Model model;
    try (InputStream params = Files.newInputStream(checkpoint.file(StudentModels.PARAMS_FILE))) {
      model = StudentModels.load(spec, params);
    }
    int vocab = spec.getOutputSize();
    return new Opened(
        runner(new LmRunner(model), vocab),
        vocab,
        "LM checkpoint " + dir + " (" + spec.getArchitecture() + ")",
        model::close);
  }

  /** A model directory in the teacher's layout: teacher-card.json and model.onnx. */
  static Opened onnxDirectory(Path dir) throws Exception {
    TeacherCardFile card = TeacherCardFile.read(dir);
    if (!card.isCausalLm()) {
      throw new IllegalArgumentException(
          "model directory " + dir + " holds a " + card.task() + " model, not a causal LM");
    }
    Model model = TeacherArtifacts.loadOnnx(dir, Map.of());
    int vocab = card.outputSize();
    return new Opened(
        runner(new LmRunner(model), vocab),
        vocab,
        "ONNX LM " + dir + " (" + card.network() + ")",
        model::close);
  }

  /** Full next-token distributions from a local decoder, windows of one length per pass. */
  static LmSuspect runner(LmRunner runner, int vocab) {
    return windows -> {
      List<float[]> out = new ArrayList<>(windows.size());
      for (int[] window : windows) {
        long[][] ids = new long[1][window.length];
        long[][] mask = new long[1][window.length];
        for (int i = 0; i < window.length; i++) {
          ids[0][i] = window[i];
          mask[0][i] = 1;
        }
        float[] logProbs = runner.logProbs(ids, mask, vocab);
        float[] p = new float[logProbs.length];
        for (int i = 0; i < p.length; i++) {
          p[i] = (float) Math.exp(logProbs[i]);
        }
        out.add(p);
      }
      return out;
    };
  }

  /**
   * A black box behind the Teacher Label API serving a language model: token prompts, the top
   * {@code topK} tokens of every position at T = 1 (the rest left at 0).
   */
  static Opened grpc(String target, String bearer, int vocab, int topK) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    TeacherGrpc.TeacherBlockingStub stub = TeacherGrpc.newBlockingStub(channel);
    if (bearer != null) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearer);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    TeacherGrpc.TeacherBlockingStub caller = stub;
    LmSuspect suspect =
        windows -> {
          LabelRequest.Builder request =
              LabelRequest.newBuilder()
                  .setRequestId("detect-lm-" + System.nanoTime())
                  .setTopK(topK)
                  .setTemperature(1f);
          for (int[] window : windows) {
            TokenSequence.Builder tokens = TokenSequence.newBuilder();
            for (int id : window) {
              tokens.addIds(id);
            }
            request.addSamples(ModelInput.newBuilder().setTokens(tokens));
          }
          LabelResponse response =
              caller.withDeadlineAfter(120, TimeUnit.SECONDS).label(request.build());
          List<float[]> out = new ArrayList<>(windows.size());
          for (int w = 0; w < windows.size(); w++) {
            SampleLabels labels = response.getSamples(w);
            float[] p = new float[windows.get(w).length * vocab];
            for (int position = 0; position < labels.getPositionsCount(); position++) {
              SparseDistribution d = labels.getPositions(position);
              for (int e = 0; e < d.getIdsCount(); e++) {
                p[position * vocab + d.getIds(e)] = (float) Math.exp(d.getLogProbs(e));
              }
            }
            out.add(p);
          }
          return out;
        };
    return new Opened(
        suspect,
        vocab,
        "Label API at " + target + " (top-" + topK + " per position)",
        () -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
  }
}
