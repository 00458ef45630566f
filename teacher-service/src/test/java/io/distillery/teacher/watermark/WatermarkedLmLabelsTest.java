package io.distillery.teacher.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.watermark.lm.LmWatermarkKey;
import io.distillery.models.watermark.lm.VocabWatermark;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.SparseDistribution;
import io.distillery.proto.v1.TeacherGrpc;
import io.distillery.proto.v1.TokenSequence;
import io.distillery.teacher.TinyLanguageModel;
import io.distillery.teacher.access.BearerTokenMechanism;
import io.distillery.teacher.access.SecuredTeacherProfile;
import io.distillery.teacher.access.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Over a real gRPC socket, a causal-LM teacher (a tiny decoder trained by our pipeline, served on
 * ONNX Runtime): the client set to receive marked outputs gets exactly the owner's LM watermark
 * applied to what an unmarked client gets for the same token prompts, at every position, with the
 * same top-1 tokens; the request's perturbation is recorded once.
 */
@QuarkusTest
@QuarkusTestResource(value = TinyLanguageModel.class, restrictToAnnotatedClass = true)
@TestProfile(WatermarkedLmLabelsTest.Marked.class)
class WatermarkedLmLabelsTest {

  static final int VOCAB = TinyLanguageModel.VOCAB;
  static final double EPSILON = 0.5;
  static final LmWatermarkKey KEY =
      LmWatermarkKey.generate(
          VOCAB, LmWatermarkKey.DEFAULT_FREQUENCY, LmWatermarkKey.DEFAULT_CONTEXT);

  /** The secured LM teacher; client "rival" is marked, "partner" is not. */
  public static class Marked implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new HashMap<>(new SecuredTeacherProfile().getConfigOverrides());
      config.put("distillery.teacher.access.clients.rival.watermark", "true");
      config.put("distillery.teacher.access.clients.rival.max-top-k", "" + VOCAB);
      config.put("distillery.teacher.access.clients.partner.max-top-k", "" + VOCAB);
      config.put("distillery.teacher.watermark.key-file", keyFile().toString());
      config.put("distillery.teacher.watermark.lm-epsilon", Double.toString(EPSILON));
      return config;
    }

    private static Path keyFile() {
      try {
        Path file = Files.createTempDirectory("wm-lm-key").resolve("teacher-lm.key");
        KEY.write(file);
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  @Inject MeterRegistry registry;

  private static LabelRequest request(List<int[]> prompts) {
    LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(VOCAB).setTemperature(1f);
    for (int[] prompt : prompts) {
      TokenSequence.Builder tokens = TokenSequence.newBuilder();
      for (int id : prompt) {
        tokens.addIds(id);
      }
      request.addSamples(ModelInput.newBuilder().setTokens(tokens));
    }
    return request.build();
  }

  private static TeacherGrpc.TeacherBlockingStub as(ManagedChannel channel, String client) {
    Metadata headers = new Metadata();
    headers.put(BearerTokenMechanism.AUTHORIZATION, "Bearer " + TestTokens.token(client, "label"));
    return TeacherGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** A position's full distribution as log-probabilities (every token was asked for). */
  private static float[] logProbs(SparseDistribution d) {
    assertEquals(VOCAB, d.getIdsCount(), "the whole vocabulary was returned");
    float[] l = new float[VOCAB];
    for (int i = 0; i < d.getIdsCount(); i++) {
      l[d.getIds(i)] = d.getLogProbs(i);
    }
    return l;
  }

  private static int argmax(float[] l) {
    int best = 0;
    for (int i = 1; i < l.length; i++) {
      if (l[i] > l[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void onlyTheMarkedClientGetsTheLmWatermark() {
    List<int[]> prompts =
        List.of(
            new int[] {1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50},
            new int[] {7, 120, 3, 9, 200, 77, 15, 260, 31, 5},
            new int[] {250, 251, 252, 253, 254, 255, 256, 257});
    DistributionSummary perturbation =
        registry.find("distillery_teacher_watermark_perturbation").summary();
    long before = perturbation.count();
    LabelResponse partner;
    LabelResponse rival;
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      partner = as(channel, "partner").label(request(prompts));
      rival = as(channel, "rival").label(request(prompts));
    } finally {
      channel.shutdownNow();
    }

    VocabWatermark mark = new VocabWatermark(KEY, EPSILON);
    double largestChange = 0;
    for (int s = 0; s < prompts.size(); s++) {
      int[] ids = prompts.get(s);
      assertEquals(ids.length, rival.getSamples(s).getPositionsCount());
      float[] clean = new float[ids.length * VOCAB];
      for (int p = 0; p < ids.length; p++) {
        System.arraycopy(
            logProbs(partner.getSamples(s).getPositions(p)), 0, clean, p * VOCAB, VOCAB);
      }
      // Log-probabilities are logits up to a constant per position: the same mark applies.
      float[] expected = mark.markSequence(ids, clean).logits();
      for (int p = 0; p < ids.length; p++) {
        float[] received = logProbs(rival.getSamples(s).getPositions(p));
        double[] want = softmax(expected, p * VOCAB);
        float[] cleanRow = logProbs(partner.getSamples(s).getPositions(p));
        assertEquals(argmax(cleanRow), argmax(received), "top-1 kept at position " + p);
        for (int i = 0; i < VOCAB; i++) {
          double got = Math.exp(received[i]);
          assertEquals(want[i], got, 1e-4, "sample " + s + " position " + p + " token " + i);
          largestChange = Math.max(largestChange, Math.abs(got - Math.exp(cleanRow[i])));
        }
      }
    }
    assertTrue(largestChange > 1e-3, "the marked outputs differ visibly: " + largestChange);
    assertTrue(largestChange <= Math.tanh(EPSILON / 2) + 1e-4, "bounded: " + largestChange);
    assertEquals(before + 1, perturbation.count(), "one marked request measured");
    assertTrue(perturbation.max() > 1e-3 && perturbation.max() <= Math.tanh(EPSILON / 2) + 1e-6);
  }

  private static double[] softmax(float[] logits, int offset) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < VOCAB; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double[] p = new double[VOCAB];
    double sum = 0;
    for (int i = 0; i < VOCAB; i++) {
      p[i] = Math.exp(logits[offset + i] - max);
      sum += p[i];
    }
    for (int i = 0; i < VOCAB; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
